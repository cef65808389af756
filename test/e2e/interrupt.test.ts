// Ctrl-C in the middle of a local run: the runners stop, partial results and a partial report are
// written, every process the lab started is gone, and the exit code is 130.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../../lab/exitCodes.ts';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import { isAlive, newResultsDir, onlyRunDir, processesMentioning, readSummary, recordedPids, startScript } from './scripts.ts';

test('Ctrl-C mid-run: exit 130, partial results kept, no process of the lab left behind', { timeout: 150_000 }, async () => {
  const results = newResultsDir();
  const run = startScript('run-soak.mjs', ['--duration', '5m', '--vus', '6', '--results-dir', results]);
  const resumed = await run.waitFor(/k6: resumed 2 runner\(s\) together/, 120_000);
  assert.ok(resumed);
  const runId = /run (\S+): starting the local lab/.exec(run.stderrSoFar())![1]!;
  await new Promise((r) => setTimeout(r, 4000)); // some traffic, some remote-write pushes
  const pids = recordedPids(runId);
  const names = pids.map((p) => p.name);
  for (const name of ['prometheus', 'target', 'k6-runner-1', 'k6-runner-2']) assert.ok(names.includes(name), `${name} not in ${names.join(', ')}`);
  assert.ok(pids.length >= 12, `only ${pids.length} processes recorded`);
  assert.ok(pids.every((p) => isAlive(p.pid)));

  process.kill(-run.child.pid!, 'SIGINT'); // what a terminal's Ctrl-C does: the foreground group
  const done = await run.done;
  assert.equal(done.code, EXIT_CODES.interrupted, done.stderr);

  const alive = pids.filter((p) => isAlive(p.pid));
  assert.deepEqual(alive, [], `still running: ${alive.map((p) => `${p.name}(${p.pid})`).join(', ')}`);
  assert.deepEqual(processesMentioning(runId), [], 'a process of this run is still in the process list');
  assert.deepEqual(recordedPids(runId), [], 'the pid file still names processes');

  const runDir = onlyRunDir(results);
  const s = readSummary(runDir);
  assert.equal(s.partial, true);
  assert.equal(s.verdict.kind, 'interrupted');
  assert.equal(s.runners.length, 2);
  assert.ok((s.totals.requests ?? 0) > 0, 'the partial results hold the traffic that ran');
  assert.match(readFileSync(join(runDir, 'report.md'), 'utf8').split('\n')[0]!, /PARTIAL \(interrupted\)/);
  for (const i of [1, 2]) assert.ok(existsSync(join(runDir, `runner-${i}-summary.json`)), `runner ${i} wrote no summary`);
  rmSync(results, { recursive: true, force: true });
  rmSync(join(PROJECT_ROOT, '.lab', 'runs', runId), { recursive: true, force: true });
});

test('Ctrl-C while the lab is starting: exit 130, a partial summary, nothing left running', { timeout: 120_000 }, async () => {
  const results = newResultsDir();
  const run = startScript('run-soak.mjs', ['--duration', '5m', '--results-dir', results]);
  await run.waitFor(/redis: 6 nodes up|postgres: primary up/, 90_000);
  const runId = /run (\S+): starting the local lab/.exec(run.stderrSoFar())![1]!;
  process.kill(-run.child.pid!, 'SIGINT');
  const done = await run.done;
  assert.equal(done.code, EXIT_CODES.interrupted, done.stderr);
  assert.deepEqual(processesMentioning(runId), [], 'a process of this run is still in the process list');
  assert.deepEqual(recordedPids(runId).filter((p) => isAlive(p.pid)), []);
  const s = readSummary(onlyRunDir(results));
  assert.equal(s.partial, true);
  assert.equal(s.verdict.kind, 'interrupted');
  assert.deepEqual(s.runners, []);
  rmSync(results, { recursive: true, force: true });
  rmSync(join(PROJECT_ROOT, '.lab', 'runs', runId), { recursive: true, force: true });
});
