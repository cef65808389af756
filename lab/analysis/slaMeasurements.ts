// Reads the SLAs a run is judged on from Prometheus (all runners together, selected by
// the run's testid), and the exact ratios of k6 Rate metrics from the runners' summaries when the
// runners ran here (Prometheus only holds each runner's ratio, not its counts).

import { readFileSync, existsSync } from 'node:fs';
import { SLA_CATALOGUE, type Sla, type K6Measure } from '../sla/catalogue.ts';
import { slaQuery, sampleCount, targetMemorySamples, targetHealthSamples, DEFAULT_TARGET_SELECTOR, type QueryOptions, type TargetResources } from '../sla/promql.ts';
import type { PrometheusClient } from './prometheusClient.ts';
import { judgeSla, type SlaMeasurement, type SlaResult } from './slaJudgement.ts';

/** The part of a k6 `--summary-export` file the analysis reads. */
export interface K6SummaryExport {
  metrics: Record<string, Record<string, number>>;
}

export interface MeasureOptions {
  /** label matchers of this run's k6 series, e.g. `testid="soak-20261123-134500-ab12"`. */
  selector: string;
  /** label matchers of the target service's own metrics (default `job="target"`). */
  targetSelector?: string;
  /** what each target process is given (its CPU and memory SLAs are shares of it); unknown: not measured. */
  targetResources?: TargetResources;
  runStartMs: number;
  /** evaluation time: after the runners' last push. */
  runEndMs: number;
  /** the runners' k6 summaries, when they ran on this machine. */
  runnerSummaries?: readonly K6SummaryExport[];
  slas?: readonly Sla[];
}

/** A Prometheus range covering the whole run, in whole seconds. */
export function runRange(runStartMs: number, runEndMs: number): string {
  return `${Math.max(1, Math.ceil((runEndMs - runStartMs) / 1000) + 5)}s`;
}

function summaryKey(measure: K6Measure): string {
  const tags = Object.entries(measure.tags ?? {});
  return tags.length === 0 ? measure.metric : `${measure.metric}{${tags.map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

/** Exact ratio of a k6 Rate across runners from their summaries (passes = non-zero values). */
export function rateFromSummaries(measure: K6Measure, summaries: readonly K6SummaryExport[]): SlaMeasurement | undefined {
  let passes = 0;
  let total = 0;
  let seen = false;
  for (const summary of summaries) {
    const m = summary.metrics[summaryKey(measure)];
    if (!m || m.passes === undefined || m.fails === undefined) continue;
    seen = true;
    passes += m.passes;
    total += m.passes + m.fails;
  }
  if (!seen) return undefined;
  return { value: total > 0 ? passes / total : undefined, samples: total };
}

/** The exact maximum of a trend across runners from their summaries (undefined: no runner has it). */
export function maxFromSummaries(measure: K6Measure, summaries: readonly K6SummaryExport[]): number | undefined {
  const maxima = summaries.map((s) => s.metrics[summaryKey(measure)]?.max).filter((v): v is number => typeof v === 'number');
  return maxima.length === 0 ? undefined : Math.max(...maxima);
}

export function readRunnerSummary(path: string): K6SummaryExport | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as K6SummaryExport;
  } catch {
    return undefined;
  }
}

async function measureOne(client: PrometheusClient, sla: Sla, opts: MeasureOptions): Promise<SlaMeasurement> {
  const range = runRange(opts.runStartMs, opts.runEndMs);
  const targetSelector = opts.targetSelector ?? DEFAULT_TARGET_SELECTOR;
  const q: QueryOptions = {
    selector: opts.selector, mode: 'run', window: range, targetSelector,
    ...(opts.targetResources ? { targetResources: opts.targetResources } : {}),
  };
  const measure = sla.measure;
  if (measure.kind === 'target') {
    // a share of the limits needs the limits: unknown (no target of the lab's) is not measured
    if ((measure.quantity === 'cpu_limit_peak' || measure.quantity === 'memory_limit_peak') && !opts.targetResources) return {};
    // availability: the scrapes inside the run itself, not the few seconds before it the other ranges take in
    const over = measure.quantity === 'availability' ? { ...q, window: `${Math.max(1, Math.round(opts.runEndMs - opts.runStartMs))}ms` } : q;
    const value = await client.value(slaQuery(sla, over), opts.runEndMs);
    const samples = await client.value(measure.quantity === 'availability' ? targetHealthSamples(over) : targetMemorySamples(over), opts.runEndMs);
    return { value, samples: samples ?? 0 };
  }
  if (measure.stat === 'rate') {
    const exact = opts.runnerSummaries && opts.runnerSummaries.length > 0 ? rateFromSummaries(measure, opts.runnerSummaries) : undefined;
    if (exact) return exact;
    return { value: await client.value(slaQuery(sla, q), opts.runEndMs) };
  }
  const [value, samples] = await Promise.all([
    client.value(slaQuery(sla, q), opts.runEndMs),
    client.value(sampleCount(measure, q), opts.runEndMs),
  ]);
  // a maximum (the budgets): exact from the runners' summaries where they ran here; from
  // Prometheus it is the highest bucket's upper edge (at most 9 % above)
  const exactMax = measure.stat.percentile === 100 && opts.runnerSummaries ? maxFromSummaries(measure, opts.runnerSummaries) : undefined;
  return { value: exactMax ?? value, samples: samples ?? 0 };
}

/** `opts.slas` (default: the whole catalogue), measured and judged. */
export async function measureSlas(client: PrometheusClient, opts: MeasureOptions): Promise<SlaResult[]> {
  const slas = opts.slas ?? SLA_CATALOGUE;
  const results: SlaResult[] = [];
  for (const sla of slas) results.push(judgeSla(sla, await measureOne(client, sla, opts)));
  return results;
}
