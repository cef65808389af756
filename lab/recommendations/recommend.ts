// Optimization recommendations (pure): rules, each fired only by a figure of this run, each citing
// that figure and the section of the user's documents its remedy comes from. No figure, no
// recommendation: a run where nothing fired says so.

import type { SlaResult } from '../analysis/slaJudgement.ts';
import type { SoakCheck } from '../analysis/soakChecks.ts';
import type { CapacityAssessment } from '../capacity/assess.ts';
import type { BaselineComparison } from '../baseline/compare.ts';
import { present, type Timeline } from '../timeline/timeline.ts';
import { SATURATION } from '../capacity/settings.ts';
import { slaById } from '../sla/catalogue.ts';

export interface Recommendation {
  id: string;
  title: string;
  /** the figure of this run that fired the rule. */
  evidence: string;
  /** what to do, from the documents. */
  action: string;
  /** where the remedy comes from. */
  source: string;
}

export interface RecommendInput {
  slas: readonly SlaResult[];
  soakChecks: readonly SoakCheck[];
  endpointGroups: ReadonlyArray<{ endpoint: string; requests: number; p95Ms: number | null }>;
  timeline?: Timeline;
  capacity?: CapacityAssessment;
  baseline?: BaselineComparison;
}

const G = 'Pathfinity Performance Testing Guidelines';
const R = 'UpCoach Performance Validation Request';
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** Share of the figure's SLA threshold at which a slow endpoint group is worth a recommendation. */
export const SLOW_ENDPOINT_SHARE = 0.5;

export function recommend(input: RecommendInput): Recommendation[] {
  const out: Recommendation[] = [];
  const sla = (id: string) => input.slas.find((s) => s.id === id);
  const r = input.timeline?.resources;

  const cache = sla('cache_hit_rate');
  const cacheServer = present(r?.cacheHitRatio);
  const serverRatio = cacheServer.length ? cacheServer.reduce((a, b) => a + b, 0) / cacheServer.length : null;
  const cacheValue = cache?.value ?? serverRatio;
  if (cacheValue !== null && cacheValue !== undefined && cacheValue < slaById('cache_hit_rate').threshold) {
    out.push({
      id: 'cache-hit-rate', title: 'Raise the cache hit rate',
      evidence: `cache hit rate ${pct(cacheValue)} (${cache?.value !== null && cache?.value !== undefined ? 'cacheable responses answered X-Cache: HIT, across all runners' : 'the target\'s cache-aside lookups, mean over the run'}), under the 80 % target`,
      action: 'Cache what the journeys read again (career pools 1 h, generated content 24 h, PathIQ 5 min), warm the cache before peaks (predictive caching), check the TTLs and the invalidation on write',
      source: `${G} §1.1 "Cache Hit Rate: > 80%", §5.1 Caching Strategy (L3 application cache TTLs, predictive caching), §7.2 Level 1 "Check cache hit rates"`,
    });
  }

  const waiting = present(r?.dbPoolWaiting);
  if (waiting.length && Math.max(...waiting) >= SATURATION.poolWaiting) {
    out.push({
      id: 'db-pool-waiting', title: 'Requests wait for a database connection',
      evidence: `up to ${Math.max(...waiting)} request(s) waited for a pooled connection (target_db_pool_connections{state="waiting"})`,
      action: 'Shorten the queries that hold connections (indexes, EXPLAIN ANALYZE, pg_stat_statements), route reads to the replicas, then size the pool (max 20, min 5 per pool) against max_connections',
      source: `${G} §5.3 Connection pooling (max 20, min 5, connectionTimeoutMillis 2000), §5.2 Database Optimization, §7.1 slowQueries diagnosis`,
    });
  }

  const lagS = present(r?.replicaLagS);
  const lagB = present(r?.replicaLagBytes);
  const lagEvidence = lagS.length && Math.max(...lagS) >= SATURATION.replicaLagS
    ? `a standby was up to ${Math.max(...lagS).toFixed(1)} s behind the primary`
    : lagB.length && Math.max(...lagB) >= SATURATION.replicaLagBytes ? `a standby was up to ${(Math.max(...lagB) / 2 ** 20).toFixed(1)} MB of WAL behind the primary` : undefined;
  if (lagEvidence) {
    out.push({
      id: 'replica-lag', title: 'Read replicas fall behind',
      evidence: lagEvidence,
      action: 'Reads routed to a lagging replica see old data: batch the writes, move heavy reads to materialized views refreshed on a schedule, check the standbys\' I/O',
      source: `${G} §5.2 Database Optimization (materialized views, refresh strategy), §5.3 batch processing; ${R} "Cache replication lag measurement"`,
    });
  }

  // the endpoint groups that cost the most: p95 x requests, among those slow against their SLA
  const threshold = (endpoint: string) => {
    const own = input.slas.find((s) => s.id === `${endpoint}_p95` && s.unit === 'ms');
    return own?.threshold ?? slaById('all_endpoints_p95').threshold;
  };
  const heavy = input.endpointGroups
    .filter((g) => g.p95Ms !== null && g.requests > 0 && g.p95Ms >= SLOW_ENDPOINT_SHARE * threshold(g.endpoint))
    .sort((a, b) => b.p95Ms! * b.requests - a.p95Ms! * a.requests)
    .slice(0, 3);
  for (const g of heavy) {
    out.push({
      id: `slow-endpoint-${g.endpoint}`, title: `Speed up ${g.endpoint}`,
      evidence: `${g.endpoint}: p95 ${g.p95Ms!.toFixed(1)} ms over ${g.requests} requests (p95 x volume ${(g.p95Ms! * g.requests / 1000).toFixed(0)} s), ${pct(g.p95Ms! / threshold(g.endpoint))} of its ${threshold(g.endpoint)} ms target`,
      action: 'Profile it first (traces, EXPLAIN ANALYZE of its queries); then indexes or a materialized view for its reads, caching of its results, batching of its writes',
      source: `${G} §7.1 slowQueries / highLatency solutions, §7.1 PerformanceDiagnostics (slowest components), §5.2-§5.3`,
    });
  }

  const memory = input.soakChecks.find((c) => c.id === 'memory_trend');
  if (memory && (memory.status === 'fail' || memory.status === 'warn') && memory.value !== null) {
    out.push({
      id: 'memory-trend', title: 'The target\'s memory grows over the run',
      evidence: `resident memory trend ${memory.value.toFixed(1)} MB/h (${memory.status}): ${memory.detail}`,
      action: 'Take heap snapshots an hour apart and compare; clear timers and listeners, bound in-process caches (memoization with a TTL and a size)',
      source: `${G} §7.1 memoryLeaks (heap snapshots, "Limit cache size"), §2.4 Soak Testing`,
    });
  }

  const cap = input.capacity;
  if (cap?.loadGenerator.saturated) {
    out.push({
      id: 'load-generator', title: 'Give the load generator more room: this run measured k6, not the service',
      evidence: cap.loadGenerator.evidence.join('; '),
      action: 'Run more runners (--parallelism) on more cores or nodes, pre-allocate the VUs an arrival-rate scenario needs (preAllocatedVUs, maxVUs), then repeat the run',
      source: `${R} Load Testing Environment "load_generators: k6_instances: 3"; lab policy (docs/capacity.md)`,
    });
  }
  const b = cap?.bottleneck;
  const remedies: Record<string, [string, string]> = {
    'target-cpu': ['Scale the target horizontally (more replicas) and profile its hottest paths', `${G} §7.2 Level 1 step 5 "Scale horizontally if needed", §5.3 Code Optimization, §6.1 Profiling (Node.js Profiler, Clinic.js)`],
    'event-loop': ['Move CPU-heavy work off the event loop (batch, stream large results), and give each process the core it needs (more replicas rather than more work per process)', `${G} §5.3 batch processing and stream processing, §6.1 Profiling (Clinic.js)`],
    'db-pool': ['Shorten the queries holding connections, then size the pool', `${G} §5.3 Connection pooling, §5.2 Database Optimization`],
    'postgres-connections': ['Pool connections in front of Postgres and keep max_connections above replicas x pool size', `${G} §5.3 Connection pooling; ${R} "connection_pool_size: 500"`],
    'postgres-cpu': ['Add the missing indexes and materialized views the slow queries need before adding cores', `${G} §5.2 Database Optimization, §7.1 slowQueries`],
    'replica-lag': ['Batch writes and move heavy reads to materialized views', `${G} §5.2`],
    'redis-cpu': ['Spread the keys over more shards (a Redis primary runs commands on one thread), and cut commands per request (pipelining, larger cached values)', `${G} §5.1 Caching Strategy; ${R} "Redis cluster performance under load"`],
    'redis-cluster': ['Find why a node left the cluster state ok (memory, failover) before any load test', `${R} "Failover performance validation"`],
    'target-memory': ['Raise the memory limit or find what grows', `${G} §7.1 memoryLeaks`],
  };
  if (b && remedies[b.resource]) {
    const [action, source] = remedies[b.resource]!;
    out.push({ id: `bottleneck-${b.resource}`, title: `Bottleneck: ${b.title}`, evidence: b.evidence, action, source });
  }

  const reg = input.baseline?.regressions.filter((c) => c.level > 0) ?? [];
  if (reg.length > 0) {
    const worst = reg[0]!;
    out.push({
      id: 'regression-runbook', title: `Runbook level ${worst.level}: ${worst.level === 2 ? 'severe degradation' : 'performance degradation'} against the baseline`,
      evidence: `${worst.id} ${worst.stat} ${worst.before.toFixed(1)} ms -> ${worst.after.toFixed(1)} ms (+${worst.changePct.toFixed(1)} %)${reg.length > 1 ? ` and ${reg.length - 1} more` : ''}`,
      action: worst.level === 2
        ? 'Enable circuit breakers, scale infrastructure, page on-call; then find the change since the baseline\'s commit'
        : 'Review recent deployments (the commits since the baseline), check cache hit rates and error logs, scale horizontally if needed',
      source: `${G} §7.2 Performance Runbook, Level ${worst.level}`,
    });
  }
  return out;
}
