// Native histograms as Prometheus's HTTP API returns them, and their quantiles computed here.
//
// Why: the timeline needs p95, p99 and the count of the same summed histogram in every window, and
// the same again per endpoint group and per trend; asking Prometheus for each would make it sum
// the same rate() of the same buckets three times (and the SLAs' percentiles a fourth). Fetching the
// summed histogram once and reading its quantiles here cuts an 8-hour soak's analysis from
// ~60 range queries over native histograms to a few; and sampling k6's cumulative histograms at the
// windows' ends and differencing them (windowsOfCumulative) reads one sample per window where
// increase() reads them all (bench/decisions.bench.ts has the figures).
//
// The quantile is Prometheus's own rule for native histograms with exponential buckets
// (promql/quantile.go, 3.x): find the bucket holding rank q x count, then interpolate inside it
// exponentially (the bucket's bounds are powers of 2^(2^-schema)), linearly in the zero bucket.

import type { PrometheusClient } from '../analysis/prometheusClient.ts';
import { PrometheusError } from '../analysis/prometheusClient.ts';

/** [boundary rule, lower, upper, count]: rule 0 = (lower, upper], 1 = [lower, upper), 2 = (lower, upper), 3 = [lower, upper]. */
export type HistogramBucket = [number, string, string, string];

export interface NativeHistogram {
  count: number;
  sum: number;
  buckets: Array<{ lower: number; upper: number; count: number }>;
}

export interface HistogramSeries {
  labels: Record<string, string>;
  points: Array<{ timeMs: number; histogram: NativeHistogram }>;
}

function parse(h: { count: string; sum: string; buckets?: HistogramBucket[] }): NativeHistogram {
  return {
    count: Number(h.count),
    sum: Number(h.sum),
    buckets: (h.buckets ?? []).map(([, lower, upper, count]) => ({ lower: Number(lower), upper: Number(upper), count: Number(count) }))
      .sort((a, b) => a.lower - b.lower),
  };
}

/** The q-quantile (0..1) of a native histogram, as Prometheus computes it; null when it is empty. */
export function histogramQuantile(q: number, h: NativeHistogram): number | null {
  if (!(h.count > 0) || h.buckets.length === 0) return null;
  const rank = q * h.count;
  let seen = 0;
  for (const b of h.buckets) {
    if (b.count <= 0) continue;
    if (seen + b.count >= rank) {
      const fraction = Math.min(1, Math.max(0, (rank - seen) / b.count));
      if (b.lower > 0 && b.upper > 0) return b.lower * (b.upper / b.lower) ** fraction;
      if (b.lower < 0 && b.upper < 0) return -(Math.abs(b.upper) * (Math.abs(b.lower) / Math.abs(b.upper)) ** (1 - fraction));
      return b.lower + (b.upper - b.lower) * fraction;
    }
    seen += b.count;
  }
  return h.buckets[h.buckets.length - 1]!.upper;
}

async function api(client: PrometheusClient, path: string, params: Record<string, string>): Promise<{ resultType: string; result: unknown[] }> {
  let response: Response;
  try {
    response = await fetch(`${client.baseUrl}${path}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new PrometheusError(`Prometheus at ${client.baseUrl} is unreachable: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as { status?: string; error?: string; data?: { resultType: string; result: unknown[] } } | undefined;
  if (!body || body.status !== 'success' || !body.data) throw new PrometheusError(`Prometheus query failed (HTTP ${response.status}): ${body?.error ?? 'no JSON body'} [${params.query}]`);
  return body.data;
}

/** A range query whose results are native histograms (one per series and step). */
export async function histogramRange(client: PrometheusClient, expr: string, startMs: number, endMs: number, stepS: number): Promise<HistogramSeries[]> {
  const data = await api(client, '/api/v1/query_range', { query: expr, start: (startMs / 1000).toFixed(3), end: (endMs / 1000).toFixed(3), step: String(Math.max(1, Math.round(stepS))) });
  return (data.result as Array<{ metric: Record<string, string>; histograms?: Array<[number, { count: string; sum: string; buckets?: HistogramBucket[] }]> }>)
    .map((r) => ({ labels: r.metric, points: (r.histograms ?? []).map(([t, h]) => ({ timeMs: t * 1000, histogram: parse(h) })) }));
}

/** An instant query whose results are native histograms. */
export async function histogramInstant(client: PrometheusClient, expr: string, atMs: number): Promise<Array<{ labels: Record<string, string>; histogram: NativeHistogram }>> {
  const data = await api(client, '/api/v1/query', { query: expr, time: (atMs / 1000).toFixed(3) });
  return (data.result as Array<{ metric: Record<string, string>; histogram?: [number, { count: string; sum: string; buckets?: HistogramBucket[] }] }>)
    .flatMap((r) => (r.histogram ? [{ labels: r.metric, histogram: parse(r.histogram[1]) }] : []));
}

/** Native histograms added bucket by bucket (the same schema: buckets with equal bounds add up). */
export function addHistograms(histograms: readonly NativeHistogram[]): NativeHistogram {
  const buckets = new Map<string, { lower: number; upper: number; count: number }>();
  let count = 0;
  let sum = 0;
  for (const h of histograms) {
    count += h.count;
    sum += h.sum;
    for (const b of h.buckets) {
      const key = `${b.lower}:${b.upper}`;
      const into = buckets.get(key);
      if (into) into.count += b.count;
      else buckets.set(key, { ...b });
    }
  }
  return { count, sum, buckets: [...buckets.values()].sort((a, b) => a.lower - b.lower) };
}

/** Series summed point by point (points at the same time add up): a `sum()` over label sets done here. */
export function sumSeries(series: readonly HistogramSeries[]): HistogramSeries | undefined {
  if (series.length === 0) return undefined;
  const byTime = new Map<number, NativeHistogram[]>();
  for (const s of series) for (const p of s.points) byTime.set(p.timeMs, [...(byTime.get(p.timeMs) ?? []), p.histogram]);
  return { labels: {}, points: [...byTime.entries()].sort(([a], [b]) => a - b).map(([timeMs, hs]) => ({ timeMs, histogram: addHistograms(hs) })) };
}

/** later - earlier, bucket by bucket: what a cumulative histogram gained between two instants (a reset: the later one). */
export function histogramIncrease(later: NativeHistogram, earlier: NativeHistogram | undefined): NativeHistogram {
  if (!earlier || later.count < earlier.count) return later;
  const before = new Map(earlier.buckets.map((b) => [`${b.lower}:${b.upper}`, b.count]));
  return {
    count: later.count - earlier.count,
    sum: later.sum - earlier.sum,
    buckets: later.buckets.map((b) => ({ ...b, count: Math.max(0, b.count - (before.get(`${b.lower}:${b.upper}`) ?? 0)) })).filter((b) => b.count > 0),
  };
}

/**
 * Per-window histograms from a cumulative one sampled at every window's end (k6's series count from
 * the runner's start): window i is what it gained since the end of window i-1. A range query of the
 * plain series picks one sample per step, where increase() would read every sample in each window:
 * an 8-hour soak's duration histograms cost 0.9 s that way, and a few tens of ms this way.
 * `points` must include the instant before the first window (the run's start: nothing yet).
 */
export function windowsOfCumulative(series: HistogramSeries): HistogramSeries {
  const points = [...series.points].sort((a, b) => a.timeMs - b.timeMs);
  // the first sample: everything since the runner started (before the first window it falls off the grid)
  const out: HistogramSeries['points'] = points.slice(0, 1);
  for (let i = 1; i < points.length; i++) {
    out.push({ timeMs: points[i]!.timeMs, histogram: histogramIncrease(points[i]!.histogram, points[i - 1]!.histogram) });
  }
  return { labels: series.labels, points: out };
}
