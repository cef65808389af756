// What a target does for faults (issue 12), as the fault schedule (schedule.ts) sees it: inject a
// fault, lift a stall, read the lab checks, and tell whether what the fault broke has come back
// (a killed process restarted, a deleted pod recreated and ready). localFaults.ts and
// clusterFaults.ts are the two implementations; the schedule and the measurement are the same for both.

import type { LabCheck } from '../analysis/verdict.ts';
import type { FaultSpec } from './kinds.ts';

/** What an injection hit. */
export interface Injection {
  /** what was hit, in the summary's words: `postgres-replica-1`, `redis-2 (127.0.0.1:41003, primary of slot 0)`, `pod perflab-pg-2`. */
  target: string;
  /** how: `SIGKILL to pid 1234`, `deleted pod ... (uid ...)`. */
  detail: string;
  /** runner-kill: the runner instance (1-based) that was killed. */
  runner?: number;
}

/** Whether what a fault broke has come back, and what the target knows about it. */
export interface Healing {
  healed: boolean;
  /** e.g. `restarted after 1012 ms (pid 1234 -> 1301)`, `pod perflab-pg-2 recreated, Ready; cluster: 3/3 ready instances`. */
  detail: string;
}

export interface FaultDriver {
  inject(fault: FaultSpec): Promise<Injection>;
  /** ends a stall (SIGCONT); harmless for a fault without a duration or lifted already. */
  lift(fault: FaultSpec, injection: Injection): Promise<void>;
  /** the lab checks now (the same checks as at the run's start and end). */
  checks(): Promise<LabCheck[]>;
  /** has the part the fault hit come back? (the lab checks say the rest) */
  healing(fault: FaultSpec, injection: Injection): Promise<Healing>;
}

/** A driver made on first use (the cluster's loads @kubernetes/client-node, which a local run never needs). */
export function lazyFaultDriver(make: () => Promise<FaultDriver>): FaultDriver {
  let driver: Promise<FaultDriver> | undefined;
  const get = () => (driver ??= make());
  return {
    inject: async (fault) => (await get()).inject(fault),
    lift: async (fault, injection) => (await get()).lift(fault, injection),
    checks: async () => (await get()).checks(),
    healing: async (fault, injection) => (await get()).healing(fault, injection),
  };
}
