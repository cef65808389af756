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

export interface RunAnalysis extends RunBreakdown {
  slas: SlaResult[];
  soakChecks: SoakCheck[];
  labErrors: string[];
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
}

export const selectorOf = (testid: string) => `testid="${testid}"`;

export async function analyseRun(client: PrometheusClient, opts: AnalyseOptions): Promise<RunAnalysis> {
  const selector = selectorOf(opts.testid);
  try {
    const slas = await measureSlas(client, {
      slas: opts.slas, selector, runStartMs: opts.runStartMs, runEndMs: opts.runEndMs,
      ...(opts.runnerSummaries ? { runnerSummaries: opts.runnerSummaries } : {}),
      ...(opts.targetSelector ? { targetSelector: opts.targetSelector } : {}),
    });
    const breakdown = await measureBreakdown(client, selector, opts.runEndMs);
    const soakChecks = opts.withSoakChecks
      ? await measureSoakChecks(client, {
        selector, runStartMs: opts.runStartMs, runEndMs: opts.runEndMs,
        ...(opts.targetSelector ? { targetSelector: opts.targetSelector } : {}),
      })
      : [];
    return { slas, soakChecks, ...breakdown, labErrors: [] };
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    return unmeasuredAnalysis(opts.slas, [error.message]);
  }
}

/** The analysis of a run nothing could be measured for: every SLA judged not-measured. */
export function unmeasuredAnalysis(slas: readonly Sla[], labErrors: string[] = []): RunAnalysis {
  return {
    slas: slas.map((sla) => judgeSla(sla, {})),
    soakChecks: [],
    totals: { requests: null, p95Ms: null, p99Ms: null, errorRate: null },
    endpointGroups: [],
    labErrors,
  };
}
