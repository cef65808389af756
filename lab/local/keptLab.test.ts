// Kept labs: a run that keeps its lab exits and leaves the lab up; stopKeptLocalLabs (what
// `lab:down --target local` calls) later finds it in the registry and stops its recorded
// processes, and only those.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunning, PID_FILE } from '../process/supervisor.ts';
import { listKeptLocalLabs, registerKeptLab, stopKeptLocalLabs } from './keptLab.ts';
import { readLabJson } from './labJson.ts';

const root = mkdtempSync(join(tmpdir(), 'perflab-keptlab-'));
const keptDir = join(root, 'kept');

after(async () => {
  await stopKeptLocalLabs({ keptDir }).catch(() => []);
  rmSync(root, { recursive: true, force: true });
});

/** A separate run (its own node process) that starts a lab, keeps it and exits. */
function runAndKeep(runId: string): { stateDir: string; resultsDir: string } {
  const stateDir = join(root, runId, 'state');
  const resultsDir = join(root, runId, 'results');
  const script = join(root, `${runId}.mts`);
  const localLab = fileURLToPath(new URL('./localLab.ts', import.meta.url));
  writeFileSync(script, `
    import { startLocalLab } from ${JSON.stringify(localLab)};
    const lab = await startLocalLab({ runId: ${JSON.stringify(runId)}, stateDir: ${JSON.stringify(stateDir)}, withTarget: false });
    lab.keep(${JSON.stringify(resultsDir)}, { keptDir: ${JSON.stringify(keptDir)} });
    process.exit(0); // the lab's processes are detached: exiting leaves them up
  `);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', env, timeout: 90_000 });
  assert.equal(run.status, 0, `the keeping run failed:\n${run.stdout}\n${run.stderr}`);
  return { stateDir, resultsDir };
}

test('a kept lab outlives its run and stopKeptLocalLabs stops exactly its processes', async () => {
  const runId = `kept-${process.pid}`;
  const { stateDir, resultsDir } = runAndKeep(runId);
  const pids = JSON.parse(readFileSync(join(stateDir, PID_FILE), 'utf8')) as Array<{ name: string; pid: number }>;
  assert.ok(pids.length >= 11, `only ${pids.length} processes recorded`);
  const postgresData = realpathSync(join(stateDir, 'postgres')); // in /dev/shm where it can be
  assert.deepEqual(pids.filter((p) => !isRunning(p.pid)).map((p) => p.name), [], 'kept processes died with their run');

  const lab = readLabJson(resultsDir);
  assert.equal(lab.kept, true);
  const ready = await fetch(`${lab.endpoints.prometheusUrl}/-/ready`);
  assert.equal(ready.status, 200, 'the kept Prometheus does not answer');
  assert.deepEqual(listKeptLocalLabs({ keptDir }).map((k) => k.runId), [runId]);

  const stopped = await stopKeptLocalLabs({ runId, keptDir });
  assert.equal(stopped.length, 1);
  assert.deepEqual(stopped[0]!.stopped.sort(), pids.map((p) => p.name).sort());
  assert.deepEqual(pids.filter((p) => isRunning(p.pid)).map((p) => p.name), [], 'processes left after stopKeptLocalLabs');
  assert.deepEqual(listKeptLocalLabs({ keptDir }), []);
  assert.equal(readLabJson(resultsDir).kept, false);
  assert.ok(!existsSync(postgresData), `the kept lab's Postgres data ${postgresData} was left behind`);
});

test('a kept lab whose processes are already gone is forgotten, stopping nothing', async () => {
  const stateDir = join(root, 'gone');
  mkdirSync(stateDir, { recursive: true });
  // a pid that exists but is not the recorded command: must never be signalled
  writeFileSync(join(stateDir, PID_FILE), JSON.stringify([{ name: 'prometheus', pid: process.pid, cmdline: 'not-this', stopSignal: 'SIGTERM' }]));
  registerKeptLab({ runId: 'gone', stateDir }, { keptDir });
  assert.deepEqual(await stopKeptLocalLabs({ keptDir }), [{ runId: 'gone', stopped: [] }]);
  assert.ok(isRunning(process.pid));
  assert.ok(!existsSync(join(keptDir, 'gone.json')));
});

test('stopping is idempotent: an unknown run id stops nothing, a malformed one is refused', async () => {
  registerKeptLab({ runId: 'other', stateDir: join(root, 'nowhere') }, { keptDir });
  assert.deepEqual(await stopKeptLocalLabs({ runId: 'nope', keptDir }), []);
  assert.deepEqual(listKeptLocalLabs({ keptDir }).map((k) => k.runId), ['other'], 'another lab was forgotten');
  await assert.rejects(stopKeptLocalLabs({ runId: '../x', keptDir }), /runId must be letters, digits/);
  assert.deepEqual(await stopKeptLocalLabs({ runId: 'other', keptDir }), [{ runId: 'other', stopped: [] }]);
});
