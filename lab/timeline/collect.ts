// Reads a run's timeline from Prometheus: one range query per series, every one on the same step
// grid (the windows' ends), all at once. The only I/O of the timeline; everything downstream is a
// pure function of what this returns.

import type { Sla } from '../sla/catalogue.ts';
import { ENDPOINT_TAG } from '../sla/catalogue.ts';
import type { PrometheusClient, RangeSeries } from '../analysis/prometheusClient.ts';
import { metricWindowQueries, resourceQueries, runStatQueries, slaWindowQuery, timelineQueries, trendMetrics, type TimelineQueryOptions } from './queries.ts';
import { emptyColumn, timelineWindowS, windowEnds, type Column, type LatencyColumns, type ResourceColumns, type RunStats, type Timeline } from './timeline.ts';

export interface CollectOptions {
  runId: string;
  selector: string;
  targetSelector?: string;
  runStartMs: number;
  runEndMs: number;
  /** how often the runners push (s): a window holds at least two pushes. */
  pushIntervalS: number;
  /** how often Prometheus scrapes the lab (s): resource windows hold at least three scrapes. */
  scrapeIntervalS: number;
  /** the SLAs the run is judged on. */
  slas: readonly Sla[];
  /** the window length, s (default timelineWindowS of the run). */
  windowS?: number;
}

/** The values of one series on the windows' grid (null where Prometheus had no point). */
function onGrid(series: RangeSeries | undefined, atMs: readonly number[]): Column {
  const column = emptyColumn(atMs.length);
  if (!series) return column;
  const first = atMs[0]!;
  const step = atMs.length > 1 ? atMs[1]! - first : 1;
  for (const p of series.points) {
    const i = Math.round((p.timeMs - first) / step);
    if (i >= 0 && i < atMs.length && Math.abs(p.timeMs - atMs[i]!) < step / 2) column[i] = p.value;
  }
  return column;
}

export async function collectTimeline(client: PrometheusClient, o: CollectOptions): Promise<Timeline> {
  const windowS = o.windowS ?? timelineWindowS(o.runEndMs - o.runStartMs, o.pushIntervalS);
  const atMs = windowEnds(o.runStartMs, o.runEndMs, windowS);
  const q: TimelineQueryOptions = {
    selector: o.selector, windowS, scrapeWindowS: Math.max(windowS, 3 * o.scrapeIntervalS), runId: o.runId,
    ...(o.targetSelector ? { targetSelector: o.targetSelector } : {}),
  };
  const range = (expr: string) => client.queryRange(expr, atMs[0]!, atMs[atMs.length - 1]!, windowS);
  const one = async (expr: string) => onGrid((await range(expr))[0], atMs);
  const byEndpoint = async (expr: string) => {
    const out: Record<string, Column> = {};
    for (const s of await range(expr)) out[s.labels[ENDPOINT_TAG] || '(untagged)'] = onGrid(s, atMs);
    return out;
  };

  const main = timelineQueries(q);
  const resources = resourceQueries(q);
  const slaQueries = o.slas.map((sla) => [sla.id, slaWindowQuery(sla, q)] as const).filter(([, x]) => x !== undefined);
  const [vus, rps, errorRate, p95, p99, count, eP95, eP99, eCount, eRps, slaValues, resourceValues, metrics] = await Promise.all([
    one(main.vus), one(main.rps), one(main.errorRate), one(main.totalP95), one(main.totalP99), one(main.totalCount),
    byEndpoint(main.endpointP95), byEndpoint(main.endpointP99), byEndpoint(main.endpointCount), byEndpoint(main.endpointRps),
    Promise.all(slaQueries.map(async ([id, x]) => {
      const [value, samples] = await Promise.all([one(x!.value), x!.count ? one(x!.count) : Promise.resolve(undefined)]);
      // a window without a sample of the SLA's requests has no value, whatever the quantile says
      return [id, samples ? value.map((v, i) => (samples[i] ? v : null)) : value] as const;
    })),
    Promise.all(Object.entries(resources).map(async ([key, expr]) => [key, await range(expr)] as const)),
    Promise.all(trendMetrics(o.slas).map(async (metric) => {
      const m = metricWindowQueries(metric, q);
      const [mp95, mp99, mCount] = await Promise.all([one(m.p95), one(m.p99), one(m.count)]);
      return [metric, { p95Ms: mp95, p99Ms: mp99, count: mCount }] as const;
    })),
  ]);
  const endpoints: Timeline['endpoints'] = {};
  for (const name of Object.keys(eCount).sort()) {
    endpoints[name] = {
      p95Ms: eP95[name] ?? emptyColumn(atMs.length),
      p99Ms: eP99[name] ?? emptyColumn(atMs.length),
      count: eCount[name]!,
      rps: eRps[name] ?? emptyColumn(atMs.length),
    };
  }
  const resourceColumns: ResourceColumns = {};
  for (const [key, series] of resourceValues) {
    // a series no exporter of this lab provides stays absent: not measured, never zero
    if (series.length > 0 && series.some((s) => s.points.length > 0)) resourceColumns[key as keyof ResourceColumns] = onGrid(series[0], atMs);
  }
  return {
    windowS,
    atMs,
    vus, rps, errorRate,
    total: { p95Ms: p95, p99Ms: p99, count },
    endpoints,
    metrics: Object.fromEntries(metrics.filter(([, c]) => c.count.some((v) => (v ?? 0) > 0))) as Record<string, LatencyColumns>,
    slas: Object.fromEntries(slaValues),
    resources: resourceColumns,
  };
}

/**
 * The run's comparable figures at its end: p50/p95/p99 and counts of every request (`total`), of
 * each endpoint group (`endpoint:<group>`, with its request rate and error ratio) and of the judged
 * SLAs' other time trends (`metric:<name>`).
 */
export async function collectRunStats(client: PrometheusClient, o: { selector: string; atMs: number; runMs: number; slas: readonly Sla[] }): Promise<RunStats> {
  const v = (expr: string) => client.value(expr, o.atMs).then((x) => x ?? null);
  const by = async (expr: string | undefined) => {
    const out: Record<string, number> = {};
    for (const s of expr ? await client.query(expr, o.atMs) : []) out[s.labels[ENDPOINT_TAG] || '(untagged)'] = s.value;
    return out;
  };
  const stats: RunStats = {};
  const total = runStatQueries(o.selector);
  const [p50, p95, p99, count, b50, b95, b99, bCount, bErrors, bRequests] = await Promise.all([
    v(total.p50), v(total.p95), v(total.p99), v(total.count),
    by(total.byP50), by(total.byP95), by(total.byP99), by(total.byCount), by(total.byErrors), by(total.byRequests),
  ]);
  const seconds = Math.max(1, o.runMs / 1000);
  stats.total = { p50Ms: p50, p95Ms: p95, p99Ms: p99, count, rps: count === null ? null : count / seconds };
  for (const group of Object.keys(bCount).sort()) {
    const requests = bRequests[group] ?? null;
    stats[`endpoint:${group}`] = {
      p50Ms: b50[group] ?? null, p95Ms: b95[group] ?? null, p99Ms: b99[group] ?? null, count: bCount[group] ?? null,
      rps: requests === null ? null : requests / seconds,
      errorRate: requests ? (bErrors[group] ?? 0) / requests : null,
    };
  }
  await Promise.all(trendMetrics(o.slas).map(async (metric) => {
    const q = runStatQueries(o.selector, metric);
    const [m50, m95, m99, mCount] = await Promise.all([v(q.p50), v(q.p95), v(q.p99), v(q.count)]);
    if (mCount) stats[`metric:${metric}`] = { p50Ms: m50, p95Ms: m95, p99Ms: m99, count: mCount };
  }));
  return stats;
}
