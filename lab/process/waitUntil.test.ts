// The one wait primitive, on real processes: it returns the check's value, fails at once when a
// watched process dies (naming it and quoting its log), names the last problem when the time runs
// out, and stops when the signal aborts.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from './supervisor.ts';
import { hasExited, logTail, notYet, sleep, waitUntil, WaitFailed } from './waitUntil.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'perflab-wait-'));
const supervisor = new Supervisor(stateDir);

after(async () => {
  await supervisor.stopAll();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Long enough that a test which reached it would fail by its own timeout, not pass. */
const NEVER_MS = 120_000;

/** assert.rejects' validator for the message alone (a RegExp there sees "Error: <message>"). */
const message = (pattern: RegExp) => (error: Error) => {
  assert.match(error.message, pattern);
  return true;
};

test('returns the value of the first check that has one', async () => {
  const proc = supervisor.start('sleeper', 'sleep', ['60']);
  let calls = 0;
  const value = await waitUntil('the third call', proc, async () => (++calls < 3 ? (calls === 1 ? undefined : false) : { calls }), { timeoutMs: NEVER_MS });
  assert.deepEqual(value, { calls: 3 });
  assert.equal(hasExited(proc), false);
});

test('a watched process that dies fails the wait at once, naming it and quoting its log', async () => {
  const alive = supervisor.start('still-alive', 'sleep', ['60']);
  const dying = supervisor.start('dying', 'sh', ['-c', 'echo "listen: address already in use" >&2; sleep 0.2; exit 3']);
  await assert.rejects(
    waitUntil('the port to answer', [alive, dying], async () => notYet('connection refused'), { timeoutMs: NEVER_MS }),
    (error: Error) => {
      assert.ok(error instanceof WaitFailed);
      assert.match(error.message, /^dying exited \(3\) while waiting for the port to answer; see .*logs\/dying\.log:\n/);
      assert.match(error.message, /listen: address already in use/);
      return true;
    },
  );
  assert.equal(hasExited(dying), true);
});

test('a death can be told in the words its callers know', async () => {
  const dying = supervisor.start('k6-runner-1', 'sh', ['-c', 'exit 107']);
  await assert.rejects(
    waitUntil('every runner paused', dying, async () => undefined, {
      timeoutMs: NEVER_MS, exited: (p, how) => `k6 runner ${p.name.split('-').at(-1)} exited (${how}) before it was ready to start`,
    }),
    message(/^k6 runner 1 exited \(107\) before it was ready to start; see .*logs\/k6-runner-1\.log/),
  );
});

test('a timeout names the last problem and the watched logs', async () => {
  const proc = supervisor.start('slow', 'sleep', ['60']);
  let n = 0;
  await assert.rejects(
    waitUntil('the target to be healthy', proc, async () => notYet(`health is starting (${++n})`), { timeoutMs: 300 }),
    (error: Error) => {
      assert.ok(error instanceof WaitFailed);
      assert.match(error.message, /^timed out after 300 ms waiting for the target to be healthy \(health is starting \(\d+\)\); see .*logs\/slow\.log$/);
      // the last problem, not the first
      assert.equal(error.message.match(/\((\d+)\)\)/)![1], String(n));
      return true;
    },
  );
  // lastProblem, when given, says it instead
  await assert.rejects(
    waitUntil('nothing', [], async () => notYet('ignored'), { timeoutMs: 50, lastProblem: () => 'what the caller tracked' }),
    message(/^timed out after 50 ms waiting for nothing \(what the caller tracked\)$/),
  );
});

test('an abort stops the wait, even in the middle of a long pause between checks', async () => {
  const proc = supervisor.start('waited-on', 'sleep', ['60']);
  const controller = new AbortController();
  let checks = 0;
  const waiting = waitUntil('something that never happens', proc, async () => (checks++, undefined), {
    timeoutMs: NEVER_MS, signal: controller.signal, intervalMs: NEVER_MS, maxIntervalMs: NEVER_MS,
  });
  await sleep(50);
  controller.abort();
  await assert.rejects(waiting, message(/^aborted while waiting for something that never happens$/));
  assert.equal(checks, 1, 'checked again after the abort');
  // and a wait that starts aborted does not check at all
  await assert.rejects(waitUntil('anything', proc, async () => (checks++, true), { timeoutMs: NEVER_MS, signal: controller.signal }), /aborted/);
  assert.equal(checks, 1);
});

test('logTail quotes the last lines of a log, and says when there is none', () => {
  assert.equal(logTail(join(stateDir, 'no-such.log')), '(no log)');
  assert.equal(logTail(undefined), '(no log)');
});
