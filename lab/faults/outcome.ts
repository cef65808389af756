// What summary.json says of each fault of a run (`faults: [...]`), and of the SLAs outside the
// fault windows (`slasOutsideFaults: [...]`). Times are offsets from the injection in ms, or ISO
// instants; a figure that could not be computed (no traffic, a window over lost pushes) is null.

import type { FaultKind, FaultSpec } from './kinds.ts';

export interface FaultOutcome {
  kind: FaultKind;
  /** the offset as written (`10s`), and the duration of a stall. */
  at: string;
  duration: string | null;
  source: FaultSpec['source'];
  /** what was hit: `postgres-replica-1`, `redis-1 (127.0.0.1:41003, primary of slot 0)`, `pod perflab-pg-2`. */
  target: string | null;
  /** how: `SIGKILL to postgres-replica-1 (pid 1234, its process group)`. */
  how: string | null;
  injected: boolean;
  /** why it was not injected (the runners ended first, Ctrl-C, the injection failed). */
  notInjected: string | null;
  injectedAt: string | null;
  /** a stall: when it was lifted, from the injection. */
  liftedAfterMs: number | null;
  impactAfterMs: number | null;
  /** what showed the impact first: `lab check replication_streaming failed`, `HTTP errors`, `api_p95 broken over a 10 s window`. */
  impact: string | null;
  /** when every lab check was green again and the part hit back. */
  checksGreenAfterMs: number | null;
  recoveredAfterMs: number | null;
  recovered: boolean;
  /** the recovery limit it was judged against (--max-recovery). */
  maxRecoveryMs: number;
  /** held: the SLAs held over a whole window from the recovery on; not-measured: no window had the traffic; not-held. */
  slaWindow: 'held' | 'not-measured' | 'not-held' | null;
  /** HTTP errors between the injection and the recovery (or the end of the watch). */
  errors: number | null;
  /** the first and the last second with an error, from the injection (ms). */
  errorWindow: { fromMs: number; toMs: number } | null;
  p95BeforeMs: number | null;
  p95DuringMs: number | null;
  p95AfterMs: number | null;
  /** requests per second across all runners. */
  throughputBefore: number | null;
  throughputDuring: number | null;
  throughputAfter: number | null;
  /** the lab checks it was expected to fail and did, and those that failed without being expected of it. */
  failedChecks: string[];
  unexpectedChecks: string[];
  /** what the target said last about the part hit (restarted after ..., pod recreated ...). */
  healing: string | null;
  /** runner-kill: the runner killed. */
  runner: number | null;
  /** the fault window (injection to recovery, or to the end of the watch): what charts shade. */
  window: { from: string; to: string } | null;
  /** k6 pushes that did not land around it (k6 does not retry a failed remote-write push). */
  gaps: Array<{ from: string; to: string }>;
  notes: string[];
}
