// The one way the lab waits for something a process it started should bring about ("Postgres
// accepts connections", "every scrape target is up", "the k6 runner is paused"): poll a check
// until it yields a value, and fail early — naming the process and quoting its log — the moment a
// watched process has died, or when the deadline passes, or when the signal aborts the wait.
// Polling starts fast (a few ms) and backs off, so a quick start is seen quickly.

import { existsSync, readFileSync } from 'node:fs';
import type { ManagedProcess } from './supervisor.ts';

export interface WaitOptions {
  timeoutMs: number;
  /** Ctrl-C: stop waiting at once. */
  signal?: AbortSignal | undefined;
  /** first poll delay, doubled up to maxIntervalMs (default 5 -> 100 ms). */
  intervalMs?: number;
  maxIntervalMs?: number;
}

/** The check's answer: a value ends the wait; undefined or false means "not yet" (with why, if known). */
export type CheckResult<T> = T | undefined | false;

export class WaitFailed extends Error {}

/** True once the process has ended (exit code or signal): the lab's single death check. */
export function hasExited(proc: ManagedProcess): boolean {
  return proc.child.exitCode !== null || proc.child.signalCode !== null;
}

/** The last lines of a process' log, for an error that says why it died. */
export function logTail(file: string | undefined, lines = 15): string {
  if (!file || !existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Polls `check` until it returns a value (not undefined/false). `watched` are the processes whose
 * death makes waiting pointless. `lastProblem` (optional) says what the latest "not yet" was, so a
 * timeout can name it.
 */
export async function waitUntil<T>(
  what: string,
  watched: ManagedProcess | readonly ManagedProcess[],
  check: () => Promise<CheckResult<T>>,
  options: WaitOptions & { lastProblem?: () => string | undefined },
): Promise<T> {
  const processes = Array.isArray(watched) ? watched : [watched as ManagedProcess];
  const deadline = Date.now() + options.timeoutMs;
  const maxInterval = options.maxIntervalMs ?? 100;
  for (let delay = options.intervalMs ?? 5; ; delay = Math.min(delay * 2, maxInterval)) {
    if (options.signal?.aborted) throw new WaitFailed(`aborted while waiting for ${what}`);
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    const dead = processes.find(hasExited);
    if (dead) {
      const how = dead.child.exitCode ?? dead.child.signalCode;
      throw new WaitFailed(`${dead.name} exited (${how}) while waiting for ${what}; see ${dead.logFile}:\n${logTail(dead.logFile)}`);
    }
    if (Date.now() >= deadline) {
      const problem = options.lastProblem?.();
      const logs = processes.map((p) => p.logFile).join(', ');
      throw new WaitFailed(`timed out after ${options.timeoutMs} ms waiting for ${what}${problem ? ` (${problem})` : ''}${logs ? `; see ${logs}` : ''}`);
    }
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), options.signal);
  }
}

/** A sleep that ends early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
