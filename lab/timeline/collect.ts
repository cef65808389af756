// Reads a run's timeline from Prometheus: one range query per series, every one on the same step
// grid (the windows' ends), all at once. The only I/O of the timeline; everything downstream is a
// pure function of what this returns.

import type { Sla } from '../sla/catalogue.ts';
import { ENDPOINT_TAG, STREAMING_ENDPOINT_GROUPS } from '../sla/catalogue.ts';
import type { PrometheusClient, RangeSeries } from '../analysis/prometheusClient.ts';
import { metricWindowHistogram, resourceQueries, runStatQueries, slaWindowQuery, timelineQueries, trendMetrics, type TimelineQueryOptions } from './queries.ts';
import { histogramInstant, histogramQuantile, histogramRange, sumSeries, windowsOfCumulative, type HistogramSeries, type NativeHistogram } from './histograms.ts';
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

/** p95/p99/count columns of histogram points on the grid. */
function latencyColumns(series: HistogramSeries | undefined, atMs: readonly number[]): LatencyColumns {
  const p95Ms = emptyColumn(atMs.length);
  const p99Ms = emptyColumn(atMs.length);
  const count = emptyColumn(atMs.length);
  const first = atMs[0]!;
  const step = atMs.length > 1 ? atMs[1]! - first : 1;
  for (const p of series?.points ?? []) {
    const i = Math.round((p.timeMs - first) / step);
    if (i < 0 || i >= atMs.length) continue;
    count[i] = p.histogram.count;
    const q95 = histogramQuantile(0.95, p.histogram);
    const q99 = histogramQuantile(0.99, p.histogram);
    p95Ms[i] = q95 === null ? null : q95 * 1000;
    p99Ms[i] = q99 === null ? null : q99 * 1000;
  }
  return { p95Ms, p99Ms, count };
}

/** A percentile column (ms) of histogram points on the grid; null where the window had no sample. */
function quantileColumn(series: HistogramSeries | undefined, atMs: readonly number[], q: number): Column {
  const column = emptyColumn(atMs.length);
  const first = atMs[0]!;
  const step = atMs.length > 1 ? atMs[1]! - first : 1;
  for (const p of series?.points ?? []) {
    const i = Math.round((p.timeMs - first) / step);
    const v = p.histogram.count > 0 ? histogramQuantile(q, p.histogram) : null;
    if (i >= 0 && i < atMs.length) column[i] = v === null ? null : v * 1000;
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
  const [from, to] = [atMs[0]!, atMs[atMs.length - 1]!];
  const range = (expr: string) => client.queryRange(expr, from, to, windowS);
  // cumulative histograms, sampled from the run's start (one step before the first window's end)
  const hist = async (expr: string) => (await histogramRange(client, expr, from - windowS * 1000, to, windowS)).map(windowsOfCumulative);
  const one = async (expr: string) => onGrid((await range(expr))[0], atMs);
  const byEndpoint = <T>(series: Array<{ labels: Record<string, string> } & T>) =>
    Object.fromEntries(series.map((s) => [s.labels[ENDPOINT_TAG] || '(untagged)', s])) as Record<string, T & { labels: Record<string, string> }>;

  const main = timelineQueries(q);
  const resources = resourceQueries(q);
  const metrics = trendMetrics(o.slas);
  // SLAs whose quantity is not a percentile of the histograms read here (rates, the target's memory, tagged trends)
  const otherSlas = o.slas.filter((sla) => !(sla.measure.kind === 'k6' && sla.measure.metric === 'http_req_failed' && Object.keys(sla.measure.tags ?? {}).length === 0))
    .filter((sla) => sla.measure.kind !== 'k6' || sla.measure.stat === 'rate'
    || (sla.measure.metric !== 'http_req_duration' && Object.keys(sla.measure.tags ?? {}).length > 0))
    .map((sla) => [sla.id, slaWindowQuery(sla, q)] as const).filter(([, x]) => x !== undefined);
  const [vus, rps, errorRate, endpointHist, endpointRps, metricHists, otherValues, resourceValues] = await Promise.all([
    one(main.vus), one(main.rps), one(main.errorRate),
    hist(main.endpointHistogram), range(main.endpointRps),
    Promise.all(metrics.map(async (m) => [m, (await hist(metricWindowHistogram(m, q)))[0]] as const)),
    Promise.all(otherSlas.map(async ([id, x]) => {
      const [value, samples] = await Promise.all([one(x!.value), x!.count ? one(x!.count) : Promise.resolve(undefined)]);
      // a window without a sample of the SLA's requests has no value, whatever the quantile says
      return [id, samples ? value.map((v, i) => (samples[i] ? v : null)) : value] as const;
    })),
    Promise.all(Object.entries(resources).map(async ([key, expr]) => [key, await range(expr)] as const)),
  ]);
  const epHist = byEndpoint(endpointHist);
  // every request but the streams: the endpoint groups' histograms added here (one range query over
  // the duration histograms instead of two)
  const totalHist = [sumSeries(endpointHist.filter((h) => !(STREAMING_ENDPOINT_GROUPS as readonly string[]).includes(h.labels[ENDPOINT_TAG] ?? '')))]
    .filter((h): h is HistogramSeries => h !== undefined);
  const epRps = byEndpoint(endpointRps);
  const endpoints: Timeline['endpoints'] = {};
  for (const name of Object.keys(epHist).sort()) {
    endpoints[name] = { ...latencyColumns(epHist[name], atMs), rps: onGrid(epRps[name], atMs) };
  }
  const metricSeries = Object.fromEntries(metricHists.filter(([, h]) => h && h.points.some((p) => p.histogram.count > 0)));
  const slas: Record<string, Column> = Object.fromEntries(otherValues);
  // the HTTP error ratio SLAs are the timeline's own error-rate column (one query)
  for (const sla of o.slas) if (sla.measure.kind === 'k6' && sla.measure.metric === 'http_req_failed' && Object.keys(sla.measure.tags ?? {}).length === 0) slas[sla.id] = errorRate;
  for (const sla of o.slas) {
    const m = sla.measure;
    if (m.kind !== 'k6' || m.stat === 'rate' || slas[sla.id]) continue;
    const source = m.metric !== 'http_req_duration' ? metricSeries[m.metric]
      : m.tags?.[ENDPOINT_TAG] ? epHist[m.tags[ENDPOINT_TAG]] : totalHist[0];
    slas[sla.id] = quantileColumn(source, atMs, m.stat.percentile / 100);
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
    total: latencyColumns(totalHist[0], atMs),
    endpoints,
    metrics: Object.fromEntries(Object.entries(metricSeries).map(([m, h]) => [m, latencyColumns(h, atMs)])),
    slas,
    resources: resourceColumns,
  };
}

function stat(h: NativeHistogram | undefined): { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; count: number | null } {
  const ms = (q: number) => {
    const v = h ? histogramQuantile(q, h) : null;
    return v === null ? null : v * 1000;
  };
  return { p50Ms: ms(0.5), p95Ms: ms(0.95), p99Ms: ms(0.99), count: h ? h.count : null };
}

/**
 * The run's comparable figures at its end: p50/p95/p99 and counts of every request (`total`), of
 * each endpoint group (`endpoint:<group>`, with its request rate and error ratio) and of the judged
 * SLAs' other time trends (`metric:<name>`). k6's series are cumulative: at the run's end the
 * summed histogram is the whole run.
 */
export async function collectRunStats(client: PrometheusClient, o: { selector: string; atMs: number; runMs: number; slas: readonly Sla[] }): Promise<RunStats> {
  const q = runStatQueries(o.selector);
  const metrics = trendMetrics(o.slas);
  const [total, byEndpoint, requests, metricHists] = await Promise.all([
    histogramInstant(client, q.totalHistogram, o.atMs),
    histogramInstant(client, q.endpointHistogram, o.atMs),
    client.query(q.requestsByEndpoint, o.atMs),
    Promise.all(metrics.map(async (m) => [m, (await histogramInstant(client, runStatQueries(o.selector, m).totalHistogram, o.atMs))[0]] as const)),
  ]);
  const seconds = Math.max(1, o.runMs / 1000);
  const stats: RunStats = {};
  const totalStat = stat(total[0]?.histogram);
  stats.total = { ...totalStat, rps: totalStat.count === null ? null : totalStat.count / seconds };
  for (const e of [...byEndpoint].sort((a, b) => (a.labels[ENDPOINT_TAG] ?? '').localeCompare(b.labels[ENDPOINT_TAG] ?? ''))) {
    const group = e.labels[ENDPOINT_TAG] || '(untagged)';
    const mine = requests.filter((r) => (r.labels[ENDPOINT_TAG] || '(untagged)') === group);
    const all = mine.reduce((n, r) => n + r.value, 0);
    const failed = mine.filter((r) => r.labels.expected_response === 'false').reduce((n, r) => n + r.value, 0);
    stats[`endpoint:${group}`] = { ...stat(e.histogram), rps: mine.length ? all / seconds : null, errorRate: all > 0 ? failed / all : null };
  }
  for (const [m, h] of metricHists) if (h && h.histogram.count > 0) stats[`metric:${m}`] = stat(h.histogram);
  return stats;
}
