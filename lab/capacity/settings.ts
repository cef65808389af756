// The capacity plan's settings (lab config `capacity.*`) and the levels at which a resource counts
// as saturated. One place for each number; the docs (docs/capacity.md) quote them.

/** `capacity` in the lab config. */
export interface CapacityConfig {
  /**
   * The production load to plan for, requests per second; --plan-for-rps overrides it.
   * @default unset: the plan is made for the measured sustainable throughput, or for
   *   `productionUsers` when that is set.
   */
  productionRps?: number;
  /**
   * The production load as concurrent users (VUs); turned into requests per second with the run's
   * measured requests per VU at the sustainable point. --plan-for-users overrides it.
   * @default unset (the guidelines' documented example is 10 000 concurrent users, §2.2/§2.3)
   */
  productionUsers?: number;
  /**
   * Share of every planned resource left free at the production load (0.3 = plan for 70 %
   * utilisation at peak, the guidelines' §1.1 "CPU Utilization: < 70% at peak").
   * @default 0.3
   */
  headroom: number;
  /**
   * What one node of the lab config's node size costs per hour, in USD. There is no default: a
   * price that looks real and is not would make the cost per transaction a fiction. Unset: the cost
   * is not computed, and the report says so.
   * @default unset
   */
  nodeHourUsd?: number;
}

export const CAPACITY_DEFAULTS: CapacityConfig = { headroom: 0.3 };

/** The release criterion the cost per transaction is judged against (guidelines, Release Criteria). */
export const COST_PER_TRANSACTION_USD_MAX = 0.001;
export const COST_SOURCE = 'Pathfinity Performance Testing Guidelines, Release Criteria "Cost per transaction <$0.001"; §1.1 "Cost per Transaction: < $0.001"';

/**
 * When a resource counts as saturated in a window (the bottleneck rule, lab/capacity/bottleneck.ts).
 * A level must hold for `sustainWindows` windows in a row: one slow window is noise.
 */
export const SATURATION = {
  /** a process at 90 % of its CPU limit (Node runs JavaScript on one core: local limit 1). */
  cpuShare: 0.9,
  /** event-loop lag p99 of the target at or above this, ms: the process cannot keep up. */
  eventLoopLagMs: 100,
  /** clients waiting for a pooled database connection. */
  poolWaiting: 1,
  /** Postgres backends at this share of max_connections. */
  connectionsShare: 0.9,
  /** a standby this far behind: seconds (cluster), bytes of WAL (local). */
  replicaLagS: 1,
  replicaLagBytes: 16 * 2 ** 20,
  /** memory at this share of the limit. */
  memoryShare: 0.9,
  /** the load generator: k6's p95 this much above the server's own p95 (ms and ratio), latency added on the client side. */
  clientGapMs: 50,
  clientGapRatio: 2,
  /** the load generator: iterations k6 could not start, as a share of those it started, with every VU in use. */
  droppedShare: 0.05,
  sustainWindows: 2,
} as const;

/** Where a local process's CPU limit comes from: a Node process runs JavaScript on one core. */
export const LOCAL_PROCESS_CPU_CORES = 1;
