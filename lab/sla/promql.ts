// PromQL for the SLA catalogue, over what k6 remote-writes (experimental-prometheus-rw with
// K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true) and what Prometheus scrapes from the target.
//
// Names as k6 v2.2.0 writes them (checked against real runs into Prometheus 2.42 and 3.16, the
// local lab's since 2026-12; the queries below needed no change between them):
//   time trends  -> native histograms `k6_<metric>_seconds` (e.g. k6_http_req_duration_seconds,
//                   k6_browser_web_vital_lcp_seconds)
//   other trends -> native histograms `k6_<metric>` (k6_browser_web_vital_cls, k6_page_bytes_total)
//   rates        -> gauges `k6_<metric>_rate` holding the runner's cumulative ratio per series
//   counters     -> `k6_<metric>_total`
// Request tags (endpoint, name, status, expected_response) and run tags (testid, instance_id)
// become labels.
//
// Two ways to read a run:
//   - 'run': the whole run so far. k6's series are cumulative from the runner's start, so the
//     instant value at the end of the run IS the run (no increase() extrapolation, which would
//     drop the first push). Prometheus 2.42 had no last_over_time for native histograms (3.x
//     has), so the query is evaluated at the run's end time, within the 5-minute lookback (left-open
//     since 3.0: only a sample exactly 5 minutes old drops out, never a run's last push).
//   - 'window': a rolling window (alerts, first-vs-last-window degradation) via rate().
//
// Percentiles aggregate correctly across runners because the histograms are summed before
// histogram_quantile. Rate gauges cannot be weighted by their sample counts, so across several
// runners a rate SLA here is the mean of the runners' ratios; the http error rate is exact (from
// the request counter). The verdict uses each runner's k6 summary counts for exact rates.

import { ENDPOINT_TAG, K6_METRIC_KINDS, STREAMING_ENDPOINT_GROUPS, type Sla, type K6Measure, type TargetMeasure } from './catalogue.ts';

export interface QueryOptions {
  /** label matchers that select this run's k6 series, e.g. `testid="soak-20261123-1"`. */
  selector: string;
  /** 'run' (default): the whole run, evaluated at its end; 'window': rate over `window`. */
  mode?: 'run' | 'window';
  /** range for 'window' mode and for the target's memory peak, e.g. '5m'. */
  window?: string;
  /** label matchers for the target service's own metrics (memory). */
  targetSelector?: string;
  /** what each target process is given (CPU and memory limits) and how often it is scraped. */
  targetResources?: TargetResources;
}

/**
 * What one process of the target service is given, which its CPU and memory are judged against,
 * and how often Prometheus scrapes it. On the cluster: the pod's resources.limits (lab config
 * `target.resources.limits`, what the chart sets); on the local lab the target runs as one process
 * given the same numbers (see docs/running.md, The verdict).
 */
export interface TargetResources {
  cpuCores: number;
  memoryBytes: number;
  /** where the numbers come from, for the report (e.g. `lab config target.resources.limits (1 CPU, 256Mi)`). */
  source: string;
  /** Prometheus's scrape interval of the target, in seconds. */
  scrapeIntervalS: number;
}

export const DEFAULT_TARGET_SELECTOR = 'job="target"';

/** Prometheus series name of a k6 metric. */
export function k6SeriesName(metric: K6Measure['metric']): string {
  const kind = K6_METRIC_KINDS[metric];
  return kind === 'time-trend' ? `k6_${metric}_seconds` : kind === 'trend' ? `k6_${metric}` : `k6_${metric}_rate`;
}

function matchers(...parts: Array<string | undefined>): string {
  return `{${parts.filter((p) => p && p.length > 0).join(',')}}`;
}

function notStreaming(): string {
  return `${ENDPOINT_TAG}!~"${STREAMING_ENDPOINT_GROUPS.join('|')}"`;
}

/** The measure's tag filter; SLAs over every request leave out the streaming groups. */
function tagMatchers(measure: K6Measure): string {
  const tags = Object.entries(measure.tags ?? {});
  if (tags.length === 0 && measure.metric.startsWith('http_req_')) return notStreaming();
  return tags.map(([key, value]) => `${key}="${value}"`).join(',');
}

function requireWindow(opts: QueryOptions): string {
  if (!opts.window) throw new Error(`query mode '${opts.mode}' needs a window, e.g. '5m'`);
  return opts.window;
}

/** The series selected, over the run or as a rate over the window. */
function over(series: string, opts: QueryOptions): string {
  return opts.mode === 'window' ? `rate(${series}[${requireWindow(opts)}])` : series;
}

/** The selector of a k6 measure's series of this run (its tag filter included), e.g. for windows of one's own. */
export function measureSeries(measure: K6Measure, opts: Pick<QueryOptions, 'selector'>): string {
  return `${k6SeriesName(measure.metric)}${matchers(opts.selector, tagMatchers(measure))}`;
}

/**
 * A percentile of a trend across every runner, in ms for a time trend (else in the trend's own
 * unit). Percentile 100 is the maximum: the upper edge of the highest bucket that holds a sample,
 * never below the true maximum and at most one bucket (9 %) above it.
 */
export function percentileMs(measure: K6Measure, percentile: number, opts: QueryOptions): string {
  const series = `${k6SeriesName(measure.metric)}${matchers(opts.selector, tagMatchers(measure))}`;
  const scale = K6_METRIC_KINDS[measure.metric] === 'time-trend' ? '1000 * ' : '';
  return `${scale}histogram_quantile(${percentile / 100}, sum(${over(series, opts)}))`;
}

/** How many samples a time trend saw (0 or no result = not measured). */
export function sampleCount(measure: K6Measure, opts: QueryOptions): string {
  const series = `${k6SeriesName(measure.metric)}${matchers(opts.selector, tagMatchers(measure))}`;
  return `histogram_count(sum(${over(series, opts)}))`;
}

/**
 * The HTTP error ratio, exact across runners, from k6_http_reqs_total's expected_response label.
 * Streams the client ends itself (SSE) finish without a status and are left out, as above.
 */
export function httpErrorRatio(opts: QueryOptions): string {
  const reqs = (extra?: string) =>
    over(`k6_http_reqs_total${matchers(opts.selector, notStreaming(), extra)}`, opts);
  return `sum(${reqs('expected_response="false"')} or vector(0)) / sum(${reqs()})`;
}

/** The mean of the runners' ratios of a k6 Rate metric (see the note at the top). */
export function meanRate(measure: K6Measure, opts: QueryOptions): string {
  const series = `${k6SeriesName(measure.metric)}${matchers(opts.selector, tagMatchers(measure))}`;
  return opts.mode === 'window'
    ? `avg(avg_over_time(${series}[${requireWindow(opts)}]))`
    : `avg(${series})`;
}

/** The target's resident memory, as every Node (prom-client) process exports it. */
const TARGET_MEMORY = 'process_resident_memory_bytes';

/** The target's peak resident memory in MB over the window. */
export function targetMemoryPeakMb(opts: QueryOptions): string {
  const selector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  return `max(max_over_time(${TARGET_MEMORY}{${selector}}[${requireWindow(opts)}])) / 1048576`;
}

/** How many memory samples of the target were scraped over the window (0: not measured). */
export function targetMemorySamples(opts: QueryOptions): string {
  const selector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  return `sum(count_over_time(${TARGET_MEMORY}{${selector}}[${requireWindow(opts)}]))`;
}

/** Every raw memory sample of every target process over the range (a range vector: the trend's input). */
export function targetMemoryRange(targetSelector: string | undefined, range: string): string {
  return `${TARGET_MEMORY}{${targetSelector ?? DEFAULT_TARGET_SELECTOR}}[${range}]`;
}

const TARGET_CPU = 'process_cpu_seconds_total';
/** A target probe per scrape: the health gauge the target sets at every scrape (target/src/routes/ops.ts). */
const TARGET_HEALTH = 'target_health_status';

function requireResources(opts: QueryOptions): TargetResources {
  if (!opts.targetResources) throw new Error('this query needs the target\'s resources (QueryOptions.targetResources)');
  return opts.targetResources;
}

/** The window a CPU rate is averaged over: 15 s, or 4 scrapes where the target is scraped less often. */
export function cpuRateWindowS(scrapeIntervalS: number): number {
  return Math.max(15, 4 * scrapeIntervalS);
}

/**
 * The busiest CPU window of any target process over the run (or, in 'window' mode, now) as a share
 * of the CPU each process is given: rate of process_cpu_seconds_total over cpuRateWindowS, its
 * highest value at every scrape step.
 */
export function targetCpuPeakShare(opts: QueryOptions): string {
  const r = requireResources(opts);
  const selector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  const rate = `max(rate(${TARGET_CPU}{${selector}}[${cpuRateWindowS(r.scrapeIntervalS)}s]))`;
  return `max_over_time(${rate}[${requireWindow(opts)}:${r.scrapeIntervalS}s]) / ${r.cpuCores}`;
}

/** The highest resident memory of any target process over the window, as a share of what each is given. */
export function targetMemoryPeakShare(opts: QueryOptions): string {
  const r = requireResources(opts);
  const selector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  return `max(max_over_time(${TARGET_MEMORY}{${selector}}[${requireWindow(opts)}])) / ${r.memoryBytes}`;
}

/**
 * The share of the target's scrapes inside the window that found it available: the scrape answered
 * and its health (computed at that scrape, as /api/v1/health) was healthy or degraded. A failed
 * scrape (`up` 0) counts as down. Raw samples, not a subquery: a subquery's first step reads the
 * last scrape before the window, which after a lab start is the target's first, not-yet-probed one
 * (a 2 s run then read 0 %). With several target processes every process's scrapes count alike.
 */
export function targetAvailability(opts: QueryOptions): string {
  const selector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  const window = requireWindow(opts);
  return `sum(sum_over_time(${TARGET_HEALTH}{${selector},status=~"healthy|degraded"}[${window}])) / sum(count_over_time(up{${selector}}[${window}]))`;
}

/**
 * How many health probes the target answered over the window: 0 (a service that does not export
 * its health, no target of the lab's) is not measured; probes it failed count as down in
 * targetAvailability, not here.
 */
export function targetHealthSamples(opts: QueryOptions): string {
  const selector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  return `sum(count_over_time(${TARGET_HEALTH}{${selector},status="healthy"}[${requireWindow(opts)}]))`;
}

/** PromQL of a target quantity in its SLA's unit (MB, or a ratio). */
export function targetQuery(quantity: TargetMeasure['quantity'], opts: QueryOptions): string {
  switch (quantity) {
    case 'memory_mb_peak': return targetMemoryPeakMb(opts);
    case 'cpu_limit_peak': return targetCpuPeakShare(opts);
    case 'memory_limit_peak': return targetMemoryPeakShare(opts);
    case 'availability': return targetAvailability(opts);
  }
}

/** PromQL whose value is the SLA's quantity in its own unit (ms, ratio, MB, score, bytes). */
export function slaQuery(sla: Sla, opts: QueryOptions): string {
  const measure = sla.measure;
  if (measure.kind === 'target') return targetQuery(measure.quantity, opts);
  if (measure.stat !== 'rate') return percentileMs(measure, measure.stat.percentile, opts);
  if (measure.metric === 'http_req_failed') return httpErrorRatio(opts);
  return meanRate(measure, opts);
}

/** PromQL that has a value (the measured one) exactly when the SLA is violated: for alerts. */
export function violationExpr(sla: Sla, opts: QueryOptions): string {
  const breach = sla.op === '<' ? '>=' : '<=';
  return `(${slaQuery(sla, opts)}) ${breach} ${sla.threshold}`;
}
