// Which resource saturated first, with the figure that shows it. Pure: each rule reads one series of
// the timeline against its level (settings.ts SATURATION) and its limit (the lab config, or the
// local target's), and says from which window on the level held for SATURATION.sustainWindows
// windows in a row. The bottleneck is the earliest; ties go to the order below (the service before
// what it calls). The load generator is judged apart: when k6 itself saturated, the run measured
// k6, not the service, and the result is invalid.

import { present, type Column, type Timeline } from '../timeline/timeline.ts';
import { SATURATION } from './settings.ts';

export interface ResourceLimits {
  /** CPU cores one target process may use (cluster: its limit, at most 1 for Node's one thread; local: 1). */
  targetProcessCpuCores: number;
  /** memory one target process may use, MB (cluster: its limit); undefined: no limit to saturate (local). */
  targetMemoryMb?: number;
  /** target processes (replicas) the memory column sums. */
  targetProcesses: number;
  /** Postgres CPU cores (cluster: instances x limit); undefined: not measured here. */
  pgCpuCores?: number;
  /** the scenario's maximum VUs (k6 inspect): the load generator's own ceiling. */
  maxVUs?: number;
  /** k6 runner's CPU limit (cluster). */
  runnerCpuCores?: number;
  /** local target: every process shares this machine's cores. */
  local: boolean;
}

export interface Saturation {
  /** a short id: target-cpu, event-loop, db-pool, postgres-connections, postgres-cpu, replica-lag, redis-cpu, redis-cluster, target-memory. */
  resource: string;
  title: string;
  /** the figure that crossed, in words, with its level and when. */
  evidence: string;
  atSeconds: number;
  atRps: number | null;
  /** window index where it started. */
  index: number;
}

export interface LoadGeneratorCheck {
  saturated: boolean;
  evidence: string[];
}

export interface BottleneckAssessment {
  bottleneck: { resource: string; title: string; evidence: string } | null;
  /** every resource that saturated, earliest first. */
  saturations: Saturation[];
  loadGenerator: LoadGeneratorCheck;
  /** what could not be read on this target (so no rule could fire on it). */
  notMeasured: string[];
}

const fmt = (v: number, digits = 2) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits));

/**
 * The first index from which `over(i)` holds for `sustain` loaded windows in a row. With
 * `endCounts`, a level reached in the run's last loaded window counts alone (a breakpoint run stops
 * right there); without it (the load generator's check) it needs its windows: the last window of a
 * run stopped by abortOnFail or Ctrl-C holds the requests cut short by the stop.
 */
function sustainedFrom(n: number, loaded: (i: number) => boolean, over: (i: number) => boolean, sustain: number, endCounts = true): number {
  for (let i = 0; i < n; i++) {
    if (!loaded(i) || !over(i)) continue;
    let seen = 1;
    let ok = true;
    for (let j = i + 1; seen < sustain && j < n; j++) {
      if (!loaded(j)) continue;
      if (!over(j)) { ok = false; break; }
      seen++;
    }
    if (ok && (endCounts || seen >= sustain)) return i;
  }
  return -1;
}

export function findBottleneck(timeline: Timeline, limits: ResourceLimits, runStartMs: number): BottleneckAssessment {
  const n = timeline.atMs.length;
  const r = timeline.resources;
  const loaded = (i: number) => (timeline.rps[i] ?? 0) > 0;
  const at = (i: number) => Math.round((timeline.atMs[i]! - runStartMs) / 1000);
  const val = (c: Column | undefined, i: number) => c?.[i] ?? null;
  const saturations: Saturation[] = [];
  const notMeasured: string[] = [];
  const rule = (resource: string, title: string, column: Column | undefined, over: (v: number, i: number) => boolean,
    evidence: (v: number, i: number) => string) => {
    if (!column || present(column).length === 0) {
      notMeasured.push(title);
      return;
    }
    const i = sustainedFrom(n, loaded, (j) => { const v = val(column, j); return v !== null && over(v, j); }, SATURATION.sustainWindows);
    if (i < 0) return;
    saturations.push({ resource, title, evidence: `${evidence(column[i]!, i)} from ${at(i)} s (${fmt(timeline.rps[i] ?? 0, 1)} req/s)`, atSeconds: at(i), atRps: timeline.rps[i] ?? null, index: i });
  };

  const cpuLimit = limits.targetProcessCpuCores;
  rule('target-cpu', 'target CPU', r.targetCpuMaxProcessCores, (v) => v >= SATURATION.cpuShare * cpuLimit,
    (v) => `a target process used ${fmt(v)} of its ${fmt(cpuLimit)} CPU core(s)${limits.local ? ' (a Node process runs JavaScript on one core)' : ' (its limit)'}, at or over ${SATURATION.cpuShare * 100} %`);
  rule('event-loop', 'target event loop', r.eventLoopLagP99Ms, (v) => v >= SATURATION.eventLoopLagMs, (v, i) => {
    const cpu = val(r.targetCpuMaxProcessCores, i);
    const starved = cpu !== null && cpu < SATURATION.cpuShare * cpuLimit;
    return `event-loop lag p99 ${fmt(v, 0)} ms (level ${SATURATION.eventLoopLagMs} ms)${starved
      ? `, while the process used only ${fmt(cpu)} core(s): it waits for a CPU it does not get (${limits.local ? 'this machine\'s cores are shared by the whole lab and the runners' : 'CPU throttling at its limit'})`
      : ''}`;
  });
  rule('db-pool', 'database connection pool', r.dbPoolWaiting, (v) => v >= SATURATION.poolWaiting,
    (v, i) => `${fmt(v, 0)} request(s) waiting for a pooled connection (${fmt(val(r.dbPoolConnections, i) ?? 0, 0)} connections held)`);
  rule('postgres-connections', 'Postgres connections', r.pgConnections,
    (v, i) => { const max = val(r.pgMaxConnections, i); return max !== null && v >= SATURATION.connectionsShare * max; },
    (v, i) => `${fmt(v, 0)} backends of max_connections ${fmt(val(r.pgMaxConnections, i)!, 0)}`);
  if (limits.pgCpuCores !== undefined) {
    rule('postgres-cpu', 'Postgres CPU', r.pgCpuCores, (v) => v >= SATURATION.cpuShare * limits.pgCpuCores!,
      (v) => `Postgres used ${fmt(v)} of ${fmt(limits.pgCpuCores!)} CPU core(s)`);
  } else notMeasured.push('Postgres CPU (no per-process CPU for Postgres on the local target; the cluster reads it from cAdvisor)');
  if (r.replicaLagS) {
    rule('replica-lag', 'replication lag', r.replicaLagS, (v) => v >= SATURATION.replicaLagS, (v) => `a standby ${fmt(v)} s behind the primary`);
  } else {
    rule('replica-lag', 'replication lag', r.replicaLagBytes, (v) => v >= SATURATION.replicaLagBytes, (v) => `a standby ${fmt(v / 2 ** 20)} MB of WAL behind the primary`);
  }
  rule('redis-cpu', 'Redis CPU', r.redisCpuMaxNodeCores, (v) => v >= SATURATION.cpuShare,
    (v, i) => `the busiest Redis node used ${fmt(v)} core (Redis runs commands on one thread); ${fmt(val(r.redisOpsPerS, i) ?? 0, 0)} commands/s`);
  rule('redis-cluster', 'Redis cluster state', r.redisClusterOk, (v) => v < 1, () => 'a Redis node reported cluster_state not ok');
  if (limits.targetMemoryMb !== undefined) {
    const limitMb = limits.targetMemoryMb * limits.targetProcesses;
    rule('target-memory', 'target memory', r.targetRssMb, (v) => v >= SATURATION.memoryShare * limitMb,
      (v) => `the target's processes held ${fmt(v, 0)} MB of their ${fmt(limitMb, 0)} MB limit`);
  }

  saturations.sort((a, b) => a.index - b.index);
  const first = saturations[0];
  return {
    bottleneck: first ? { resource: first.resource, title: first.title, evidence: first.evidence } : null,
    saturations,
    loadGenerator: loadGeneratorCheck(timeline, limits, runStartMs),
    notMeasured,
  };
}

/**
 * The load generator saturated when, for SATURATION.sustainWindows windows in a row: k6 measured a
 * p95 far above what the service's own p95 and its event-loop lag explain (the time was lost on the
 * client's side: loopback has no network to lose it in), or k6 had every VU it may have in use and still could not start its iterations,
 * or (cluster) a runner pod used its whole CPU limit.
 */
export function loadGeneratorCheck(timeline: Timeline, limits: ResourceLimits, runStartMs: number): LoadGeneratorCheck {
  const n = timeline.atMs.length;
  const r = timeline.resources;
  const loaded = (i: number) => (timeline.rps[i] ?? 0) > 0;
  const at = (i: number) => Math.round((timeline.atMs[i]! - runStartMs) / 1000);
  const evidence: string[] = [];
  const server = r.serverP95Ms;
  if (server) {
    // the service's histogram starts when its handler does: a request queued behind a lagging event
    // loop waited on the service's side, so the lag is counted to the service before blaming k6
    const lag = (i: number) => r.eventLoopLagP99Ms?.[i] ?? 0;
    const gap = (i: number) => {
      const c = timeline.total.p95Ms[i];
      const s = server[i];
      if (c === null || c === undefined || s === null || s === undefined) return false;
      const serviceSide = s + lag(i);
      return c - serviceSide >= SATURATION.clientGapMs && c >= SATURATION.clientGapRatio * serviceSide;
    };
    const i = sustainedFrom(n, loaded, gap, SATURATION.sustainWindows, false);
    if (i >= 0) {
      evidence.push(`from ${at(i)} s k6 measured p95 ${fmt(timeline.total.p95Ms[i]!, 0)} ms where the service measured ${fmt(server[i]!, 0)} ms ` +
        `(its event loop lagging ${fmt(lag(i), 0)} ms): the requests waited on the load generator's side (at least ${SATURATION.clientGapMs} ms and ${SATURATION.clientGapRatio}x more than the service explains)`);
    }
  }
  if (r.k6DroppedIterations && r.k6Iterations && r.k6VusMax && limits.maxVUs) {
    const starved = (i: number) => {
      const dropped = r.k6DroppedIterations![i] ?? 0;
      const started = r.k6Iterations![i] ?? 0;
      return dropped > SATURATION.droppedShare * Math.max(started, 1) && (r.k6VusMax![i] ?? 0) >= 0.95 * limits.maxVUs!;
    };
    const i = sustainedFrom(n, loaded, starved, SATURATION.sustainWindows, false);
    if (i >= 0) {
      evidence.push(`from ${at(i)} s k6 had all ${limits.maxVUs} VUs in use and could not start ${fmt(r.k6DroppedIterations[i]!, 0)} of its iterations ` +
        `(${fmt(r.k6Iterations[i]!, 0)} started): the scenario cannot offer more load (raise maxVUs, or more runners)`);
    }
  }
  if (r.runnerCpuMaxCores && limits.runnerCpuCores) {
    const i = sustainedFrom(n, loaded, (j) => (r.runnerCpuMaxCores![j] ?? 0) >= SATURATION.cpuShare * limits.runnerCpuCores!, SATURATION.sustainWindows, false);
    if (i >= 0) evidence.push(`from ${at(i)} s a k6 runner pod used ${fmt(r.runnerCpuMaxCores[i]!)} of its ${fmt(limits.runnerCpuCores)} CPU core(s)`);
  }
  return { saturated: evidence.length > 0, evidence };
}
