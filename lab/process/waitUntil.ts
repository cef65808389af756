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
  /** what the latest "not yet" was, for a timeout's message (default: the last notYet() problem). */
  lastProblem?: () => string | undefined;
  /**
   * The sentence a death fails with, before "; see <log>" (default: `<name> exited (<code>) while
   * waiting for <what>`): for a wait whose error people already know by its words.
   */
  exited?: (proc: ManagedProcess, how: number | string) => string;
}

const NOT_YET: unique symbol = Symbol('not yet');

/** A "not yet" that says why: a timeout's message names the last one. */
export interface NotYet {
  readonly [NOT_YET]: true;
  readonly problem: string;
}

export function notYet(problem: string): NotYet {
  return { [NOT_YET]: true, problem };
}

function isNotYet(value: unknown): value is NotYet {
  return typeof value === 'object' && value !== null && NOT_YET in value;
}

/** The check's answer: a value ends the wait; undefined, false or notYet(why) means "not yet". */
export type CheckResult<T> = T | undefined | false | NotYet;

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
 * Polls `check` until it returns a value (not undefined/false/notYet). `watched` are the processes
 * whose death makes waiting pointless. The problem of the latest "not yet" (a notYet(...) answer,
 * or `lastProblem`) is named when the time runs out.
 */
export async function waitUntil<T>(
  what: string,
  watched: ManagedProcess | readonly ManagedProcess[],
  check: () => Promise<CheckResult<T>>,
  options: WaitOptions,
): Promise<T> {
  const processes = Array.isArray(watched) ? watched : [watched as ManagedProcess];
  const deadline = Date.now() + options.timeoutMs;
  const maxInterval = options.maxIntervalMs ?? 100;
  let problem: string | undefined;
  for (let delay = options.intervalMs ?? 5; ; delay = Math.min(delay * 2, maxInterval)) {
    if (options.signal?.aborted) throw new WaitFailed(`aborted while waiting for ${what}`);
    const value = await check();
    if (isNotYet(value)) problem = value.problem;
    else if (value !== undefined && value !== false) return value as T;
    const dead = processes.find(hasExited);
    if (dead) {
      const how = dead.child.exitCode ?? dead.child.signalCode ?? 'unknown';
      const sentence = options.exited?.(dead, how) ?? `${dead.name} exited (${how}) while waiting for ${what}`;
      throw new WaitFailed(`${sentence}; see ${dead.logFile}:\n${logTail(dead.logFile)}`);
    }
    if (Date.now() >= deadline) {
      const last = options.lastProblem?.() ?? problem;
      const logs = processes.map((p) => p.logFile).join(', ');
      throw new WaitFailed(`timed out after ${options.timeoutMs} ms waiting for ${what}${last ? ` (${last})` : ''}${logs ? `; see ${logs}` : ''}`);
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
