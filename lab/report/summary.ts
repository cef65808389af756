// summary.json: the machine-readable record of one run. Everything the report says comes from
// here, so a CI job, a dashboard or a later comparison reads the same facts people read.

import type { SlaResult } from '../analysis/slaJudgement.ts';
import type { SoakCheck } from '../analysis/soakChecks.ts';
import type { LabCheck, RunnerOutcome, ThresholdAbort, Verdict } from '../analysis/verdict.ts';
import type { ThresholdResult } from '../analysis/thresholds.ts';
import type { Cardinality } from '../analysis/cardinality.ts';
import type { BrowserPage } from '../analysis/browserPages.ts';
import type { FaultOutcome } from '../faults/outcome.ts';
import type { Timeline } from '../timeline/timeline.ts';
import type { Baseline } from '../baseline/baseline.ts';
import type { BaselineComparison } from '../baseline/compare.ts';
import type { CapacityAssessment } from '../capacity/assess.ts';
import type { Recommendation } from '../recommendations/recommend.ts';
import type { RunDecisions } from '../decisions/decideRun.ts';

export const SUMMARY_SCHEMA_VERSION = 1;

export interface RunSummary {
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  runId: string;
  target: 'local' | 'cluster';
  scenario: string;
  profile: string;
  /** VUs and duration asked for (undefined = the profile's own). */
  vus: number | null;
  duration: string | null;
  parallelism: number;
  baseUrl: string | null;
  /** the SLA ids the scenario itself declares as k6 thresholds (every runner judges its slice). */
  scenarioSlas: string[];
  startedAt: string;
  endedAt: string;
  /** true when the run was interrupted: every figure covers only the part that ran. */
  partial: boolean;
  runners: RunnerOutcome[];
  slas: SlaResult[];
  /** the scenario's own k6 thresholds (not the catalogue's), judged across all runners. */
  thresholds: ThresholdResult[];
  /** set when the lab stopped every runner because a threshold with abortOnFail failed across them. */
  abortedBy: ThresholdAbort | null;
  /** the Prometheus series the run made, against the guard's levels (lab/analysis/cardinality.ts). */
  cardinality: Cardinality;
  soakChecks: SoakCheck[];
  labChecks: LabCheck[];
  /** headline figures across all runners (null when not measured). */
  totals: { requests: number | null; p95Ms: number | null; p99Ms: number | null; errorRate: number | null };
  /** p95/p99 per endpoint group (the `endpoint` tag), across all runners. */
  endpointGroups: Array<{ endpoint: string; requests: number; p95Ms: number | null; p99Ms: number | null }>;
  /** what the browser VUs saw of each page: loads, bytes by type, load p95 (absent: no browser VU ran). */
  browserPages?: BrowserPage[];
  prometheusUrl: string | null;
  verdict: Verdict;
  /**
   * Issue 12 (lab/faults): each fault injected during the run — what it hit, when, its impact, error
   * burst, p95 and throughput before/during/after, recovery against --max-recovery, and its window
   * (`window`, what charts shade) — and the SLAs judged outside the fault windows. Absent: no faults.
   */
  faults?: FaultOutcome[];
  slasOutsideFaults?: SlaResult[];
  /**
   * Issue 11 (lab/decisions): the run window by window, its comparable figures (what
   * --save-baseline stores, what compare.mjs and trend.mjs read), the comparison with a baseline,
   * the capacity assessment and plan, and the recommendations with their evidence.
   */
  timeline?: Timeline | null;
  comparable?: Baseline | null;
  baseline?: BaselineComparison | null;
  capacity?: CapacityAssessment | null;
  recommendations?: Recommendation[];
}

/** The decisions' part of summary.json (absent fields: not decided, e.g. a run that never reached Prometheus). */
export function decisionsOfSummary(d: RunDecisions | undefined): Pick<RunSummary, 'timeline' | 'comparable' | 'baseline' | 'capacity' | 'recommendations'> {
  if (!d) return {};
  return { timeline: d.timeline, comparable: d.comparable, baseline: d.baseline, capacity: d.capacity, recommendations: d.recommendations };
}

export type RunSummaryInput = Omit<RunSummary, 'schemaVersion'>;

export function buildSummary(input: RunSummaryInput): RunSummary {
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    ...input,
    runners: [...input.runners].sort((a, b) => a.instance - b.instance),
  };
}
