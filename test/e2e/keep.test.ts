// --keep: the run ends with its verdict but the lab stays up, lab.json says where it is and that it
// is kept, and `npm run lab:down -- --target local --run-id <id>` stops exactly its processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { isAlive, newResultsDir, onlyRunDir, readSummary, recordedPids, runScript } from './scripts.ts';

test('--keep leaves the lab up and reachable; lab:down --target local stops exactly it', { timeout: 150_000 }, async () => {
  const results = newResultsDir();
  const run = await runScript('run.mjs', ['load', '--profile', 'smoke', '--keep', '--results-dir', results]);
  const runDir = onlyRunDir(results);
  const s = readSummary(runDir);
  try {
    assert.equal(run.code, s.verdict.exitCode, run.stderr);
    assert.match(run.stderr, /the lab is kept running .*stop it with: npm run lab:down -- --target local/);
    const lab = JSON.parse(readFileSync(join(runDir, 'lab.json'), 'utf8'));
    assert.equal(lab.kept, true);
    const ready = await fetch(`${lab.endpoints.prometheusUrl}/-/ready`);
    assert.equal(ready.status, 200, 'the kept lab\'s Prometheus answers');
    const health = await (await fetch(`${lab.endpoints.targetBaseUrl}/api/v1/health`)).json() as { status: string };
    assert.equal(health.status, 'healthy');
    const pids = recordedPids(s.runId);
    assert.ok(pids.length >= 10 && pids.every((p) => isAlive(p.pid)), `kept processes: ${pids.map((p) => p.name).join(', ')}`);
    assert.ok(!pids.some((p) => p.name.startsWith('k6-runner')), 'runners are not part of a kept lab');

    const down = spawnSync('npm', ['run', '--silent', 'lab:down', '--', '--target', 'local', '--run-id', s.runId], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    assert.equal(down.status, 0, down.stderr);
    const alive = pids.filter((p) => isAlive(p.pid));
    assert.deepEqual(alive, [], `still running after lab:down: ${alive.map((p) => p.name).join(', ')}`);
    assert.equal(JSON.parse(readFileSync(join(runDir, 'lab.json'), 'utf8')).kept, false);
  } finally {
    spawnSync('npm', ['run', '--silent', 'lab:down', '--', '--target', 'local', '--run-id', s.runId], { cwd: PROJECT_ROOT });
    rmSync(results, { recursive: true, force: true });
    rmSync(join(PROJECT_ROOT, '.lab', 'runs', s.runId), { recursive: true, force: true });
  }
});
