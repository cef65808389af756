import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Supervisor, stopRecordedProcesses, isRunning, PID_FILE, recordedProcesses } from './supervisor.ts';

const alive = isRunning;

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'perflab-supervisor-'));
}

async function childPidOf(logFile: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const pid = Number(readFileSync(logFile, 'utf8').trim());
    if (pid > 0) return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the child did not report its pid');
}

test('stopAll stops every started process and its children, and empties the pid file', async () => {
  const dir = freshDir();
  const supervisor = new Supervisor(dir);
  // a shell whose own child (sleep) must die with it: the supervisor signals the process group
  const shell = supervisor.start('shell', 'sh', ['-c', 'sleep 60 & echo $!; wait']);
  const plain = supervisor.start('plain', 'sleep', ['60']);
  const grandchild = await childPidOf(shell.logFile);
  assert.ok(alive(shell.pid) && alive(plain.pid) && alive(grandchild));
  assert.equal(JSON.parse(readFileSync(join(dir, PID_FILE), 'utf8')).length, 2);

  await supervisor.stopAll(2000);
  assert.ok(!alive(shell.pid) && !alive(plain.pid) && !alive(grandchild), 'a process survived stopAll');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, PID_FILE), 'utf8')), []);
  rmSync(dir, { recursive: true, force: true });
});

test('a process that ignores SIGTERM is killed after the grace period', async () => {
  const dir = freshDir();
  const supervisor = new Supervisor(dir);
  const stubborn = supervisor.start('stubborn', 'sh', ['-c', 'trap "" TERM; echo ready; sleep 60 & wait; sleep 60']);
  await childPidOf(stubborn.logFile).catch(() => 0);
  await supervisor.stopAll(300);
  assert.ok(!alive(stubborn.pid));
  rmSync(dir, { recursive: true, force: true });
});

test('stopRecordedProcesses stops what a finished run recorded, and nothing else', async () => {
  const dir = freshDir();
  const kept = new Supervisor(dir);
  const recorded = kept.start('kept', 'sleep', ['60']);
  const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });

  const stopped = await stopRecordedProcesses(dir, 2000);
  assert.deepEqual(stopped, ['kept']);
  assert.ok(!alive(recorded.pid));
  assert.ok(alive(stranger.pid!), 'a process the lab did not start was stopped');
  assert.deepEqual(await stopRecordedProcesses(dir), [], 'a second stop must find nothing to do');
  stranger.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('a process that retitles itself (as redis-server does) is still recognised and stopped', async () => {
  const dir = freshDir();
  const kept = new Supervisor(dir);
  // exec -a gives the process another argv[0], the way Redis rewrites its title
  const retitled = kept.start('retitled', 'bash', ['-c', 'exec -a "renamed 127.0.0.1:7001 [cluster]" sleep 60']);
  for (let i = 0; i < 100 && !readFileSync(`/proc/${retitled.pid}/cmdline`, 'utf8').startsWith('renamed'); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(await stopRecordedProcesses(dir, 2000), ['retitled']);
  assert.ok(!alive(retitled.pid));
  rmSync(dir, { recursive: true, force: true });
});

test('a recorded pid now used by another program is left alone', async () => {
  const dir = freshDir();
  const supervisor = new Supervisor(dir);
  const proc = supervisor.start('victim', 'sleep', ['60']);
  // rewrite the record as if the pid had been reused by a process started at another time
  const file = join(dir, PID_FILE);
  const records = JSON.parse(readFileSync(file, 'utf8'));
  records[0].startTime = '1';
  writeFileSync(file, JSON.stringify(records));
  assert.deepEqual(await stopRecordedProcesses(dir), []);
  assert.ok(alive(proc.pid));
  await supervisor.stopAll(1000);
  rmSync(dir, { recursive: true, force: true });
});

test('recordedProcesses: what a pid file records, running or not (a reused pid does not count)', async () => {
  const dir = freshDir();
  assert.deepEqual(recordedProcesses(dir), [], 'no pid file: nothing recorded');
  const supervisor = new Supervisor(dir);
  const one = supervisor.start('one', 'sleep', ['60']);
  const two = supervisor.start('two', 'sleep', ['60']);
  assert.deepEqual(recordedProcesses(dir), [{ name: 'one', pid: one.pid, running: true }, { name: 'two', pid: two.pid, running: true }]);
  process.kill(-two.pid, 'SIGKILL');
  await two.exited;
  assert.deepEqual(recordedProcesses(dir).map((p) => `${p.name} ${p.running}`), ['one true', 'two false']);
  const file = join(dir, PID_FILE);
  const records = JSON.parse(readFileSync(file, 'utf8'));
  records[0].startTime = '1';
  writeFileSync(file, JSON.stringify(records));
  assert.equal(recordedProcesses(dir)[0]!.running, false, 'a pid with another start time is another process');
  await supervisor.stopAll(1000);
  rmSync(dir, { recursive: true, force: true });
});
