// Everything the verdict reads from Prometheus for one run, in one call: every SLA, the headline
// figures and endpoint groups, and (for soaks) the soak checks. A Prometheus that cannot be
// queried is reported as a lab error, never thrown, so the run still writes its results.

import { PrometheusError, type PrometheusClient } from './prometheusClient.ts';
import { measureSlas, type K6SummaryExport } from './slaMeasurements.ts';
import { measureSoakChecks } from './soakMeasurements.ts';
import { measureBreakdown, type RunBreakdown } from './breakdown.ts';
import { judgeSla, type SlaResult } from './slaJudgement.ts';
import type { SoakCheck } from './soakChecks.ts';
import type { Sla } from '../sla/catalogue.ts';
import type { TargetResources } from '../sla/promql.ts';
import type { K6MetricInfo, ParsedThreshold } from '../k6/thresholdSyntax.ts';
import { judgeThresholds, type ThresholdResult } from './thresholds.ts';
import { countSeries, groupedNames, type GroupedName } from './cardinality.ts';
import { measureBrowserPages, type BrowserPage } from './browserPages.ts';

export interface RunAnalysis extends RunBreakdown {
  slas: SlaResult[];
  /** the scenario's own thresholds, judged across all runners. */
  thresholds: ThresholdResult[];
  /** the Prometheus series the run made, and the request names the lab grouped. */
  series: number | null;
  groupedNames: GroupedName[];
  soakChecks: SoakCheck[];
  labErrors: string[];
  /** what the browser VUs saw of each page (none: no browser VU ran). */
  browserPages?: BrowserPage[];
}

export interface AnalyseOptions {
  testid: string;
  /** the SLAs this run is judged on (judgedSlas of its scenario's declared ids). */
  slas: readonly Sla[];
  runStartMs: number;
  runEndMs: number;
  runnerSummaries?: readonly K6SummaryExport[];
  withSoakChecks: boolean;
  targetSelector?: string;
  /** what each process of the lab's own target is given (the CPU and memory SLAs are shares of it). */
  targetResources?: TargetResources;
  /** the scenario's own thresholds and the k6 type of their metrics (PreparedScenario). */
  thresholds?: { list: readonly ParsedThreshold[]; metrics: Readonly<Record<string, K6MetricInfo>> };
  /** runners left out (a runner a fault killed: the run is judged on what the others measured). */
  excludeInstances?: readonly number[];
}

export const selectorOf = (testid: string) => `testid="${testid}"`;

export async function analyseRun(client: PrometheusClient, opts: AnalyseOptions): Promise<RunAnalysis> {
  const selector = selectorOf(opts.testid) + (opts.excludeInstances?.length ? `,instance_id!~"${opts.excludeInstances.join('|')}"` : '');
  try {
    const slas = await measureSlas(client, {
      slas: opts.slas, selector, runStartMs: opts.runStartMs, runEndMs: opts.runEndMs,
      ...(opts.runnerSummaries ? { runnerSummaries: opts.runnerSummaries } : {}),
      ...(opts.targetSelector ? { targetSelector: opts.targetSelector } : {}),
      ...(opts.targetResources ? { targetResources: opts.targetResources } : {}),
    });
    const thresholds = opts.thresholds
      ? await judgeThresholds(client, opts.thresholds.list, opts.thresholds.metrics, {
        selector, runStartMs: opts.runStartMs, atMs: opts.runEndMs, summaries: opts.runnerSummaries ?? [],
      })
      : [];
    const breakdown = await measureBreakdown(client, selector, opts.runEndMs);
    const soakChecks = opts.withSoakChecks
      ? await measureSoakChecks(client, {
        selector, runStartMs: opts.runStartMs, runEndMs: opts.runEndMs,
        ...(opts.targetSelector ? { targetSelector: opts.targetSelector } : {}),
      })
      : [];
    const [{ series }, grouped] = await Promise.all([countSeries(client, selector, false, opts.runEndMs), groupedNames(client, selector, opts.runEndMs)]);
    const browserPages = await measureBrowserPages(client, selector, opts.runEndMs);
    return { slas, thresholds, soakChecks, ...breakdown, series, groupedNames: grouped, labErrors: [], ...(browserPages.length ? { browserPages } : {}) };
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    return unmeasuredAnalysis(opts.slas, [error.message]);
  }
}

/** The analysis of a run nothing could be measured for: every SLA judged not-measured. */
export function unmeasuredAnalysis(slas: readonly Sla[], labErrors: string[] = []): RunAnalysis {
  return {
    slas: slas.map((sla) => judgeSla(sla, {})),
    thresholds: [],
    series: null,
    groupedNames: [],
    soakChecks: [],
    totals: { requests: null, p95Ms: null, p99Ms: null, errorRate: null },
    endpointGroups: [],
    labErrors,
  };
}
