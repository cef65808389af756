// One handle per process the lab starts — a Postgres instance, a Redis node, an exporter,
// Prometheus, Alertmanager, the target service — so whatever drives the lab (the start, a test, a
// fault injector, a supervisor that restarts what died) handles every part the same way: where it
// serves, which process it is, how to tell it does its job, how to stop it. A component made of
// several processes returns their handles in a field (`postgres.primary` and `.replicas`,
// `redis.members`, `exporters.postgres` and `.redis`).

import type { ManagedProcess, Supervisor } from './supervisor.ts';
import type { WaitOptions } from './waitUntil.ts';

export interface LabProcess<Ready = void> {
  /** the supervisor's name (`postgres-primary`, `redis-3`, `prometheus`, ...); its log is <stateDir>/logs/<name>.log. */
  readonly name: string;
  /** where it serves: `http://127.0.0.1:<port>` for HTTP servers, `postgresql://…`, `redis://…` for the data tier. */
  readonly url: string;
  readonly process: ManagedProcess;
  /**
   * Resolves once it does its job (answers, not just runs); fails at once, naming it and quoting
   * its log, if it dies first (lab/process/waitUntil.ts).
   */
  waitReady(timeoutMs?: number, signal?: AbortSignal): Promise<Ready>;
  /** stops this process only; harmless when it has been stopped already. */
  stop(): Promise<void>;
}

/**
 * The handle of a process `supervisor` started. `ready` is its readiness wait (waitUntil on the
 * process), called with `defaultTimeoutMs` unless the caller gives a timeout.
 */
export function labProcess<Ready = void>(
  supervisor: Supervisor,
  process: ManagedProcess,
  input: { url: string; defaultTimeoutMs: number; ready: (wait: WaitOptions) => Promise<Ready> },
): LabProcess<Ready> {
  return {
    name: process.name,
    url: input.url,
    process,
    waitReady: (timeoutMs = input.defaultTimeoutMs, signal) => input.ready({ timeoutMs, signal }),
    stop: () => stopProcess(supervisor, process),
  };
}

/** Stops a process if the supervisor still runs it (stopAll, or an earlier stop, may have). */
export async function stopProcess(supervisor: Supervisor, process: ManagedProcess): Promise<void> {
  if (supervisor.processes.includes(process)) await supervisor.stop(process.name);
}
