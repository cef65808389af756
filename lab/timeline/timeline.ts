// A run's timeline: what happened window by window, across all runners, and what the lab's
// resources did meanwhile. Read once from Prometheus range queries (collect.ts, the I/O edge) and
// then plain data: the baseline comparison (lab/baseline), the capacity assessment
// (lab/capacity), the recommendations (lab/recommendations) and the report's charts are pure
// functions of it and of the lab config. It is stored in summary.json, so every one of them can be
// recomputed, and tested, from a recorded run.
//
// Columnar: `atMs[i]` is the end of window i (each window is `windowS` long), and every series
// holds one value per window (null: no data in that window).

/** One value per window; null where the window had no data. */
export type Column = Array<number | null>;

/** The latency of one set of requests, window by window (ms). */
export interface LatencyColumns {
  p95Ms: Column;
  p99Ms: Column;
  /** requests (samples) in the window. */
  count: Column;
}

/**
 * What the lab's resources did, window by window. A series the run could not read (an exporter
 * the target does not have: Postgres CPU on the local target, the runners' CPU outside a cluster)
 * is absent, and the assessment says it was not measured.
 */
export interface ResourceColumns {
  /** CPU cores the target's processes used (all replicas). */
  targetCpuCores?: Column;
  /** CPU cores of the busiest target process (Node runs JavaScript on one core). */
  targetCpuMaxProcessCores?: Column;
  /** resident memory of the target's processes together, MB. */
  targetRssMb?: Column;
  /** the largest event-loop lag p99 of a target process, ms. */
  eventLoopLagP99Ms?: Column;
  /** clients waiting for a database connection in the target's pools (the most seen in the window). */
  dbPoolWaiting?: Column;
  /** connections the target's pools hold (all pools). */
  dbPoolConnections?: Column;
  /** server-side p95 of the target's own request histogram, ms. */
  serverP95Ms?: Column;
  /** cache hits / (hits + misses) of the target's cache-aside lookups. */
  cacheHitRatio?: Column;
  /** Postgres backends (connections), and the server's max_connections. */
  pgConnections?: Column;
  pgMaxConnections?: Column;
  /** Postgres CPU cores (cluster: cAdvisor; the local target has no per-process CPU for Postgres). */
  pgCpuCores?: Column;
  /** replication lag of the most lagging standby: bytes of WAL (local) or seconds (cluster). */
  replicaLagBytes?: Column;
  replicaLagS?: Column;
  /** CPU cores of the busiest Redis node (Redis runs commands on one thread). */
  redisCpuMaxNodeCores?: Column;
  /** CPU cores of all Redis nodes together. */
  redisCpuCores?: Column;
  /** Redis commands per second, all nodes. */
  redisOpsPerS?: Column;
  /** 1 while every Redis node reports cluster_state ok, 0 when one does not. */
  redisClusterOk?: Column;
  /** k6: iterations started, and iterations k6 could not start on schedule (arrival-rate executors). */
  k6Iterations?: Column;
  k6DroppedIterations?: Column;
  /** k6: VUs allocated (vus_max) across runners. */
  k6VusMax?: Column;
  /** CPU cores of the busiest k6 runner (cluster: cAdvisor), and its limit. */
  runnerCpuMaxCores?: Column;
}

export interface Timeline {
  /** length of each window, s (the step of every range query). */
  windowS: number;
  /** end of each window, ms since the epoch. */
  atMs: number[];
  /** VUs running (the most seen in the window, summed over runners). */
  vus: Column;
  /** HTTP requests per second (streams left out, as the SLAs do). */
  rps: Column;
  /** HTTP error ratio in the window. */
  errorRate: Column;
  /** every request (streams left out). */
  total: LatencyColumns;
  /** per endpoint group (the `endpoint` tag). */
  endpoints: Record<string, LatencyColumns & { rps: Column }>;
  /** the scenario's other time trends an SLA judges (career_selection_duration, http_req_waiting, ...). */
  metrics: Record<string, LatencyColumns>;
  /**
   * Each judged SLA's own quantity per window, in its unit (ms, ratio, MB), where it can be read
   * per window (percentiles, the HTTP error ratio, the target's memory).
   */
  slas: Record<string, Column>;
  resources: ResourceColumns;
}

/**
 * How long the timeline's windows are: at least 5 s and two pushes of the runners (a percentile
 * of a window needs requests in it: at 10 req/s a 5-s p95 stands on 50), and long enough that a
 * run has at most ~120 windows (an 8-hour soak: 4-minute windows).
 */
export function timelineWindowS(runMs: number, pushIntervalS: number, maxWindows = 120): number {
  const minimum = Math.max(5, 2 * pushIntervalS);
  return Math.max(minimum, Math.ceil(runMs / 1000 / maxWindows));
}

/**
 * The windows' end times for a run: every `windowS` from the first full window on, the last one
 * at most half a window past the run's end (the step grid of a range query, so points line up).
 */
export function windowEnds(runStartMs: number, runEndMs: number, windowS: number): number[] {
  const ends: number[] = [];
  const step = windowS * 1000;
  for (let t = runStartMs + step; t <= runEndMs + step / 2; t += step) ends.push(t);
  if (ends.length === 0) ends.push(runEndMs);
  return ends;
}

/** The values of a column that are numbers. */
export function present(column: Column | undefined): number[] {
  return (column ?? []).filter((v): v is number => v !== null && Number.isFinite(v));
}

export function emptyColumn(n: number): Column {
  return Array.from({ length: n }, () => null);
}

/** Whole-run percentiles of one set of requests (instant queries at the run's end). */
export interface RunStat {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  count: number | null;
  /** requests per second over the run (HTTP figures). */
  rps?: number | null;
  errorRate?: number | null;
}

/** `total`, `endpoint:<group>`, `metric:<k6 metric>`: the run's comparable latency figures. */
export type RunStats = Record<string, RunStat>;
