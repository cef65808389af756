// The PromQL of a run's timeline (pure): every expression is a range-query expression whose value
// at time t covers the window (t - w, t]. k6's own series are selected by the run's testid; the
// target's by its selector (job="target" on the local lab); the data tier's by metric name, as the
// postgres and redis exporters (local) and CloudNativePG and redis_exporter (cluster) name them.

import { ENDPOINT_TAG, STREAMING_ENDPOINT_GROUPS, type Sla } from '../sla/catalogue.ts';
import { DEFAULT_TARGET_SELECTOR, httpErrorRatio, percentileMs, sampleCount, targetMemoryPeakMb } from '../sla/promql.ts';
import type { ResourceColumns } from './timeline.ts';

export interface TimelineQueryOptions {
  /** this run's k6 series, e.g. `testid="soak-261123-154554-1bd4"`. */
  selector: string;
  /** the target service's own metrics (default job="target"). */
  targetSelector?: string;
  /** the window of k6 series (rate over it), s. */
  windowS: number;
  /** the window of scraped series (at least a few scrapes), s. */
  scrapeWindowS: number;
  /** the run id: a cluster run's runner pods are named after it. */
  runId: string;
}

const notStreaming = `${ENDPOINT_TAG}!~"${STREAMING_ENDPOINT_GROUPS.join('|')}"`;
const DURATION = 'k6_http_req_duration_seconds';

export function timelineQueries(o: TimelineQueryOptions) {
  const w = `${o.windowS}s`;
  const k6 = (extra?: string) => `{${[o.selector, extra].filter(Boolean).join(',')}}`;
  return {
    vus: `sum(max_over_time(k6_vus${k6()}[${w}]))`,
    rps: `sum(rate(k6_http_reqs_total${k6(notStreaming)}[${w}]))`,
    errorRate: httpErrorRatio({ selector: o.selector, mode: 'window', window: w }),
    /**
     * The summed cumulative duration histogram per endpoint group, sampled at every window's end:
     * each window's own is the difference of two (histograms.ts windowsOfCumulative), and every
     * request's is their sum (collect.ts).
     */
    endpointHistogram: `sum by (${ENDPOINT_TAG}) (${DURATION}${k6()})`,
    endpointRps: `sum by (${ENDPOINT_TAG}) (rate(k6_http_reqs_total${k6()}[${w}]))`,
  };
}

/** The time trends of the judged SLAs other than http_req_duration (which total and the endpoints cover). */
export function trendMetrics(slas: readonly Sla[]): string[] {
  const names = slas.flatMap((s) => (s.measure.kind === 'k6' && s.measure.stat !== 'rate' && s.measure.metric !== 'http_req_duration' ? [s.measure.metric] : []));
  return [...new Set(names)].sort();
}

/** A trend metric's summed cumulative histogram (sampled at every window's end, as the endpoints'). */
export function metricWindowHistogram(metric: string, o: TimelineQueryOptions): string {
  return `sum(k6_${metric}_seconds{${o.selector}})`;
}

/** Whole-run figures at the run's end (k6's series are cumulative: the instant value is the run). */
export function runStatQueries(selector: string, metric?: string) {
  return {
    totalHistogram: metric ? `sum(k6_${metric}_seconds{${selector}})` : `sum(${DURATION}{${selector},${notStreaming}})`,
    endpointHistogram: `sum by (${ENDPOINT_TAG}) (${DURATION}{${selector}})`,
    requestsByEndpoint: `sum by (${ENDPOINT_TAG}, expected_response) (k6_http_reqs_total{${selector}})`,
  };
}

/** Each SLA's quantity per window, where it has one (percentiles, the HTTP error ratio, the target's memory). */
export function slaWindowQuery(sla: Sla, o: TimelineQueryOptions): { value: string; count?: string } | undefined {
  const q = { selector: o.selector, mode: 'window' as const, window: `${o.windowS}s`, targetSelector: o.targetSelector ?? DEFAULT_TARGET_SELECTOR };
  const m = sla.measure;
  if (m.kind === 'target') return m.quantity === 'memory_mb_peak' ? { value: targetMemoryPeakMb({ ...q, window: `${o.scrapeWindowS}s` }) } : undefined;
  if (m.stat === 'rate') return m.metric === 'http_req_failed' ? { value: httpErrorRatio(q) } : undefined;
  return {
    value: percentileMs(m, m.stat.percentile, q),
    count: sampleCount(m, { ...q, mode: 'window' }).replace(/rate\(/, 'increase('),
  };
}

/** The resources' series; keys are ResourceColumns'. */
export function resourceQueries(o: TimelineQueryOptions): Record<keyof ResourceColumns, string> {
  const t = o.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  const s = `${o.scrapeWindowS}s`;
  const w = `${o.windowS}s`;
  const k6 = `{${o.selector}}`;
  const redisCpu = `rate(redis_cpu_user_seconds_total[${s}]) + rate(redis_cpu_sys_seconds_total[${s}])`;
  return {
    targetCpuCores: `sum(rate(process_cpu_seconds_total{${t}}[${s}]))`,
    targetCpuMaxProcessCores: `max(rate(process_cpu_seconds_total{${t}}[${s}]))`,
    targetRssMb: `sum(max_over_time(process_resident_memory_bytes{${t}}[${s}])) / 1048576`,
    eventLoopLagP99Ms: `1000 * max(max_over_time(nodejs_eventloop_lag_p99_seconds{${t}}[${s}]))`,
    dbPoolWaiting: `sum(max_over_time(target_db_pool_connections{${t},state="waiting"}[${s}]))`,
    dbPoolConnections: `sum(max_over_time(target_db_pool_connections{${t},state="total"}[${s}]))`,
    serverP95Ms: `1000 * histogram_quantile(0.95, sum by (le) (rate(target_http_request_duration_seconds_bucket{${t}}[${s}])))`,
    cacheHitRatio: `sum(rate(target_cache_requests_total{${t},result="hit"}[${s}])) / sum(rate(target_cache_requests_total{${t},result=~"hit|miss"}[${s}]))`,
    pgConnections: `(sum(max_over_time(pg_stat_activity_count[${s}])) or sum(max_over_time(cnpg_backends_total[${s}])))`,
    pgMaxConnections: `(max(pg_settings_max_connections) or max(cnpg_pg_settings_setting{name="max_connections"}))`,
    pgCpuCores: `sum(rate(container_cpu_usage_seconds_total{container="postgres"}[${s}]))`,
    replicaLagBytes: `max(max_over_time(pg_stat_replication_pg_wal_lsn_diff[${s}]))`,
    replicaLagS: `max(max_over_time(cnpg_pg_replication_lag[${s}]))`,
    redisCpuMaxNodeCores: `max(${redisCpu})`,
    redisCpuCores: `sum(${redisCpu})`,
    redisOpsPerS: `sum(rate(redis_commands_processed_total[${s}]))`,
    redisClusterOk: `min(min_over_time(redis_cluster_state[${s}]))`,
    k6Iterations: `sum(increase(k6_iterations_total${k6}[${w}]))`,
    k6DroppedIterations: `sum(increase(k6_dropped_iterations_total${k6}[${w}])) or (0 * sum(increase(k6_iterations_total${k6}[${w}])))`,
    k6VusMax: `sum(max_over_time(k6_vus_max${k6}[${w}]))`,
    runnerCpuMaxCores: `max(rate(container_cpu_usage_seconds_total{container="k6",pod=~".*${o.runId}.*"}[${s}]))`,
  };
}
