// The scenario's own k6 thresholds, judged over all runners together — never one runner's slice,
// which is wrong both ways (a count passes on every slice and fails over the run; a p95 fails on
// one slice and passes over the run). From what the runners remote-write (all runners, selected
// by the run's testid) and, where they ran on this machine, from their k6 summaries:
//
//   trend  p(N), med    histogram_quantile over the runners' native histograms summed first:
//                       within one bucket of the exact value (k6's buckets grow by 2^(1/8), 9 %)
//          avg          exact: the summed histograms' sum / count
//          min, max     exact from the runners' summaries (local); else the summed histograms'
//                       lowest / highest bucket edge (within one bucket)
//   rate   rate         exact: passes / (passes + fails) of the runners' summaries (local);
//                       http_req_failed exact from k6_http_reqs_total's expected_response label;
//                       other rates on the cluster: the mean of the runners' ratios (approximate)
//   counter count       exact: the runners' counts summed
//          rate         the count over the run's duration, as k6 defines it
//   gauge  value, min, max   one value per runner: vus and vus_max are summed, others the largest
//
// A threshold whose metric saw no sample is "not measured", never a pass.

import type { K6MetricInfo, ParsedThreshold } from '../k6/thresholdSyntax.ts';
import { holds, parseThresholdKey } from '../k6/thresholdSyntax.ts';
import type { PrometheusClient } from './prometheusClient.ts';
import type { K6SummaryExport } from './slaMeasurements.ts';

export interface ThresholdResult {
  /** the metric key as the scenario wrote it, e.g. `http_req_duration{group:::login}`. */
  metric: string;
  expression: string;
  /** in k6's unit (ms for time trends); null when not measured. */
  value: number | null;
  /** 'ms' for a trend of time, 'B' for data, '' for a plain number or ratio. */
  unit: 'ms' | 'B' | '';
  status: 'pass' | 'fail' | 'not-measured';
  /** how many samples the value covers (requests, checks, count), when known. */
  samples: number | null;
  /** how the value was computed where it is not exact (and by how much it may be off). */
  approximate?: string;
  abortOnFail: boolean;
}

export interface ThresholdWindow {
  /** label matchers of this run's k6 series (`testid="..."`). */
  selector: string;
  runStartMs: number;
  /** evaluation time: the run's end (after the last push), or now for a check during the run. */
  atMs: number;
  /** the runners' k6 summaries, when they ran on this machine (exact rates, min, max, gauges). */
  summaries: readonly K6SummaryExport[];
}

interface Measured {
  value: number | undefined;
  samples: number | null;
  approximate?: string;
}

const ADDITIVE_GAUGES = new Set(['vus', 'vus_max']);
export const BUCKET_NOTE = 'from the summed native histograms: within one bucket (9 %) of the exact value';

const matchers = (selector: string, tags: Record<string, string>, extra?: string) =>
  `{${[selector, ...Object.entries(tags).map(([k, v]) => `${k}=${JSON.stringify(v)}`), extra].filter(Boolean).join(',')}}`;

/** The runners' summary entries for this metric and tag filter (the key may be spelled differently). */
function summaryEntries(t: ParsedThreshold, summaries: readonly K6SummaryExport[]): Array<Record<string, number>> {
  const wanted = JSON.stringify([t.metric, Object.entries(t.tags).sort()]);
  return summaries.flatMap((s) => Object.entries(s.metrics).filter(([key]) => {
    try {
      const k = parseThresholdKey(key);
      return JSON.stringify([k.metric, Object.entries(k.tags).sort()]) === wanted;
    } catch {
      return false;
    }
  }).map(([, values]) => values));
}

async function measureTrend(client: PrometheusClient, t: ParsedThreshold, info: K6MetricInfo, w: ThresholdWindow): Promise<Measured> {
  const time = info.contains === 'time';
  const scale = time ? 1000 : 1;
  const summed = `sum(${time ? `k6_${t.metric}_seconds` : `k6_${t.metric}`}${matchers(w.selector, t.tags)})`;
  const samples = (await client.value(`histogram_count(${summed})`, w.atMs)) ?? 0;
  if (samples === 0) return { value: undefined, samples: 0 };
  const a = t.aggregation;
  const quantile = async (q: number) => ((await client.value(`histogram_quantile(${q}, ${summed})`, w.atMs)) ?? NaN) * scale;
  if (a.kind === 'avg') return { value: ((await client.value(`histogram_sum(${summed})`, w.atMs)) ?? NaN) * scale / samples, samples };
  if (a.kind === 'p') return { value: await quantile(a.percentile / 100), samples, approximate: BUCKET_NOTE };
  if (a.kind === 'med') return { value: await quantile(0.5), samples, approximate: BUCKET_NOTE };
  // min / max: exact where every runner's summary has it
  const entries = summaryEntries(t, w.summaries).map((e) => e[a.kind]).filter((v): v is number => typeof v === 'number');
  if (entries.length > 0 && entries.length === w.summaries.length) {
    return { value: a.kind === 'min' ? Math.min(...entries) : Math.max(...entries), samples };
  }
  return { value: await quantile(a.kind === 'min' ? 0 : 1), samples, approximate: BUCKET_NOTE };
}

async function measureRate(client: PrometheusClient, t: ParsedThreshold, w: ThresholdWindow): Promise<Measured> {
  const entries = summaryEntries(t, w.summaries).filter((e) => typeof e.passes === 'number' && typeof e.fails === 'number');
  if (entries.length > 0) {
    const passes = entries.reduce((n, e) => n + e.passes!, 0);
    const total = entries.reduce((n, e) => n + e.passes! + e.fails!, 0);
    return { value: total > 0 ? passes / total : undefined, samples: total };
  }
  if (t.metric === 'http_req_failed') {
    const reqs = (extra?: string) => `sum(k6_http_reqs_total${matchers(w.selector, t.tags, extra)})`;
    const total = (await client.value(reqs(), w.atMs)) ?? 0;
    const failed = (await client.value(`${reqs('expected_response="false"')} or vector(0)`, w.atMs)) ?? 0;
    return { value: total > 0 ? failed / total : undefined, samples: total };
  }
  const series = `k6_${t.metric}_rate${matchers(w.selector, t.tags)}`;
  const count = (await client.value(`count(${series})`, w.atMs)) ?? 0;
  return {
    value: count > 0 ? await client.value(`avg(${series})`, w.atMs) : undefined,
    samples: null,
    approximate: `the mean of ${count} series' ratios (per runner and tag set): Prometheus holds no counts of a Rate; ` +
      'the local target reads the exact counts from the runners\' summaries',
  };
}

async function measureCounter(client: PrometheusClient, t: ParsedThreshold, w: ThresholdWindow): Promise<Measured> {
  const entries = summaryEntries(t, w.summaries).filter((e) => typeof e.count === 'number');
  const count = entries.length > 0
    ? entries.reduce((n, e) => n + e.count!, 0)
    : await client.value(`sum(k6_${t.metric}_total${matchers(w.selector, t.tags)})`, w.atMs);
  if (count === undefined) return { value: undefined, samples: 0 };
  if (t.aggregation.kind === 'count') return { value: count, samples: count };
  const seconds = (w.atMs - w.runStartMs) / 1000;
  return { value: count / seconds, samples: count, approximate: `the count over the run's ${seconds.toFixed(0)} s` };
}

async function measureGauge(client: PrometheusClient, t: ParsedThreshold, w: ThresholdWindow): Promise<Measured> {
  const additive = ADDITIVE_GAUGES.has(t.metric);
  const field = t.aggregation.kind; // value | min | max
  const combine = (vs: number[]) => (field === 'min' ? Math.min(...vs) : additive && field === 'value' ? vs.reduce((a, b) => a + b, 0) : Math.max(...vs));
  const how = additive ? 'summed over the runners' : 'the largest of the runners\' values';
  const entries = summaryEntries(t, w.summaries).map((e) => e[field]).filter((v): v is number => typeof v === 'number');
  if (entries.length > 0) return { value: combine(entries), samples: entries.length, approximate: how };
  const range = `${Math.max(1, Math.ceil((w.atMs - w.runStartMs) / 1000) + 5)}s`;
  const series = `k6_${t.metric}${matchers(w.selector, t.tags)}`;
  const expr = field === 'min' ? `min(min_over_time(${series}[${range}]))`
    : field === 'max' ? `max(max_over_time(${series}[${range}]))`
      : `${additive ? 'sum' : 'max'}(last_over_time(${series}[${range}]))`;
  return { value: await client.value(expr, w.atMs), samples: null, approximate: how };
}

function measure(client: PrometheusClient, t: ParsedThreshold, info: K6MetricInfo, w: ThresholdWindow): Promise<Measured> {
  switch (info.type) {
    case 'trend': return measureTrend(client, t, info, w);
    case 'rate': return measureRate(client, t, w);
    case 'counter': return measureCounter(client, t, w);
    case 'gauge': return measureGauge(client, t, w);
  }
}

/** Judges each threshold over all runners; `metrics` are the scenario's (lab/scenarios/probe.ts). */
export async function judgeThresholds(
  client: PrometheusClient, thresholds: readonly ParsedThreshold[], metrics: Readonly<Record<string, K6MetricInfo>>, w: ThresholdWindow,
): Promise<ThresholdResult[]> {
  const results: ThresholdResult[] = [];
  for (const t of thresholds) {
    const info = metrics[t.metric];
    const m: Measured = info ? await measure(client, t, info, w) : { value: undefined, samples: null };
    const measured = m.value !== undefined && Number.isFinite(m.value);
    results.push({
      metric: t.key,
      expression: t.expression,
      value: measured ? m.value! : null,
      unit: info?.contains === 'time' && info.type === 'trend' ? 'ms' : info?.contains === 'data' ? 'B' : '',
      status: !measured ? 'not-measured' : holds(t, m.value!) ? 'pass' : 'fail',
      samples: m.samples,
      ...(m.approximate ? { approximate: m.approximate } : {}),
      abortOnFail: t.abortOnFail,
    });
  }
  return results;
}

/** A threshold's value in words: ms for time trends, the ratio for rates, the number otherwise. */
export function describeThreshold(r: ThresholdResult): string {
  return `threshold ${r.metric}: ${r.expression} ${r.status === 'pass' ? 'held' : r.status === 'fail' ? 'failed' : 'not measured'} ` +
    `across all runners${r.value === null ? '' : ` (${formatThresholdValue(r)})`}`;
}

export function formatThresholdValue(r: Pick<ThresholdResult, 'value' | 'unit'>): string {
  if (r.value === null) return '—';
  const number = Number.isInteger(r.value) ? String(r.value) : Math.abs(r.value) >= 100 ? r.value.toFixed(1) : r.value.toPrecision(4);
  return r.unit ? `${number} ${r.unit}` : number;
}
