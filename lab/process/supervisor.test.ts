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

// --- the restart policy (issue 12: the local lab heals as a Kubernetes restart policy would) ---

const FAST = { firstDelayMs: 100, maxDelayMs: 400, maxRestarts: 3 };

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('restart policy: a killed process is started again (same log, new pid in the pid file), recorded and announced', async () => {
  const dir = freshDir();
  const supervisor = new Supervisor(dir);
  const proc = supervisor.start('server', 'sh', ['-c', 'echo started $$; exec sleep 60']);
  const unarmed = supervisor.start('other', 'sleep', ['60']);
  supervisor.keepRunning((name) => (name === 'server' ? FAST : undefined));
  const heard: string[] = [];
  supervisor.onRestart((r) => heard.push(`${r.name} ${r.exit} ${r.restartedAtMs ? 'restarted' : 'waiting'}`));
  const first = proc.pid;
  assert.equal(supervisor.signal('server', 'SIGKILL'), first);
  const record = await until('the restart', () => supervisor.restarts.find((r) => r.restartedAtMs !== undefined));
  assert.equal(record.name, 'server');
  assert.equal(record.exit, 'SIGKILL');
  assert.equal(record.attempt, 1);
  assert.ok(record.restartedAtMs! - record.exitedAtMs >= 90, `restarted after ${record.restartedAtMs! - record.exitedAtMs} ms, the policy says 100`);
  assert.notEqual(proc.pid, first, 'the handle follows the new process');
  assert.ok(alive(proc.pid) && !alive(first));
  assert.equal(proc.restarts, 1);
  assert.deepEqual(heard, ['server SIGKILL waiting', 'server SIGKILL restarted']);
  assert.deepEqual(recordedProcesses(dir).map((p) => `${p.name} ${p.running}`), ['server true', 'other true']);
  assert.equal(recordedProcesses(dir)[0]!.pid, proc.pid, 'the pid file names the new process');
  const log = await until('the second start in the log', () => {
    const text = readFileSync(proc.logFile, 'utf8');
    return text.match(/^started /gm)?.length === 2 ? text : undefined;
  });
  assert.match(log, /perflab supervisor: server exited \(SIGKILL\); restarting in 100 ms \(restart 1\)/);

  // a process without a policy stays down, as before
  process.kill(-unarmed.pid, 'SIGKILL');
  await unarmed.exited;
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!alive(unarmed.pid));
  assert.equal(supervisor.restarts.filter((r) => r.name === 'other').length, 0);
  await supervisor.stopAll(1000);
  assert.ok(!alive(proc.pid));
  rmSync(dir, { recursive: true, force: true });
});

test('restart policy: the delay doubles, and after maxRestarts the process is given up', async () => {
  const dir = freshDir();
  const supervisor = new Supervisor(dir);
  supervisor.start('crasher', 'sh', ['-c', 'sleep 0.05; exit 3']);
  supervisor.keepRunning(() => FAST);
  const gaveUp = await until('giving up', () => supervisor.restarts.find((r) => r.gaveUp), 10_000);
  assert.match(gaveUp.gaveUp!, /restarted 3 time\(s\) already \(at most 3\)/);
  const restarted = supervisor.restarts.filter((r) => r.restartedAtMs !== undefined);
  assert.deepEqual(restarted.map((r) => r.exit), [3, 3, 3]);
  const delays = restarted.map((r) => r.restartedAtMs! - r.exitedAtMs);
  assert.ok(delays[0]! >= 90 && delays[1]! >= 190 && delays[2]! >= 390, `delays ${delays.join(', ')} ms: 100, 200, 400 expected`);
  await supervisor.stopAll(1000);
  rmSync(dir, { recursive: true, force: true });
});

test('restart policy: stop() and stopAll() are never undone by a restart, a pending one included', async () => {
  const dir = freshDir();
  const supervisor = new Supervisor(dir);
  const a = supervisor.start('a', 'sleep', ['60']);
  const b = supervisor.start('b', 'sleep', ['60']);
  supervisor.keepRunning(() => ({ ...FAST, firstDelayMs: 300 }));
  await supervisor.stop('a', 1000);
  supervisor.signal('b', 'SIGKILL');
  await until('b to be waiting for its restart', () => supervisor.restarts.find((r) => r.name === 'b'));
  await supervisor.stopAll(1000); // while b's restart is pending
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(!alive(a.pid) && !alive(b.pid));
  assert.equal(supervisor.restarts.filter((r) => r.restartedAtMs !== undefined).length, 0, 'a stopped process was restarted');
  assert.deepEqual(recordedProcesses(dir), []);
  rmSync(dir, { recursive: true, force: true });
});

test('signal: SIGSTOP and SIGCONT reach the whole group; an unknown name is an error', async () => {
  const dir = freshDir();
  const supervisor = new Supervisor(dir);
  const shell = supervisor.start('shell', 'sh', ['-c', 'sleep 60 & echo $!; wait']);
  const child = await childPidOf(shell.logFile);
  const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];
  supervisor.signal('shell', 'SIGSTOP');
  await until('both stopped', () => (state(shell.pid) === 'T' && state(child) === 'T' ? true : undefined));
  supervisor.signal('shell', 'SIGCONT');
  await until('both running again', () => (state(shell.pid) !== 'T' && state(child) !== 'T' ? true : undefined));
  assert.throws(() => supervisor.signal('nope', 'SIGKILL'), /no process named nope/);
  await supervisor.stopAll(1000);
  rmSync(dir, { recursive: true, force: true });
});
