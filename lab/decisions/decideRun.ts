// From a verdict to decisions, for one run: its timeline from Prometheus (the one I/O here, through
// lab/timeline/collect.ts), then, as pure functions of it and the lab config, its comparable
// figures, the comparison with a baseline, the capacity assessment and plan, and the
// recommendations. The run skeleton (lab/run/executeRun.ts) calls this once, for both targets;
// finish.ts hands the result to the verdict and the summary, and saves a baseline when asked.

import type { PrometheusClient } from '../analysis/prometheusClient.ts';
import { PrometheusError } from '../analysis/prometheusClient.ts';
import type { RunAnalysis } from '../analysis/analyseRun.ts';
import type { Sla } from '../sla/catalogue.ts';
import type { LabConfig } from '../config/types.ts';
import { collectRunStats, collectTimeline, type CollectOptions } from '../timeline/collect.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { BASELINE_SCHEMA_VERSION, figuresOfRun, type Baseline, type RunIdentity, type SlaOnFigure } from '../baseline/baseline.ts';
import { compareWithBaseline, REGRESSION_POLICY, type BaselineComparison } from '../baseline/compare.ts';
import { assessCapacity, type CapacityAssessment } from '../capacity/assess.ts';
import { recommend, type Recommendation } from '../recommendations/recommend.ts';
import { ENDPOINT_TAG } from '../sla/catalogue.ts';

/** What the run asked for beyond its verdict (run flags, lab config). */
export interface DecisionRequest {
  identity: RunIdentity;
  /** --baseline: the baseline, already read and found comparable (or forced) before the run started. */
  baseline?: { baseline: Baseline; path: string; force: boolean; regressionPct?: number };
  /** scenario is a capacity run (breakpoint, stress, spike) or --assess-capacity. */
  assessCapacity: boolean;
  planForRps?: number;
  planForUsers?: number;
  labConfig?: LabConfig;
  /** the scenario's max VUs (k6 inspect). */
  maxVUs?: number;
  /** --save-baseline NAME: where its file goes (baselines/NAME.json where the command ran). */
  saveBaseline?: { name: string; path: string };
}

export interface RunDecisions {
  timeline: Timeline | null;
  /** this run's comparable figures (what --save-baseline stores; compare.mjs reads them from summary.json). */
  comparable: Baseline | null;
  baseline: BaselineComparison | null;
  capacity: CapacityAssessment | null;
  recommendations: Recommendation[];
  /** what could not be decided, and why (Prometheus failed mid-way). */
  problems: string[];
  /** --save-baseline: where to store `comparable` once the verdict allows it. */
  saveBaseline?: { name: string; path: string };
}

/** The run as the timeline collects it (its scrape interval: local 1 s, cluster the config's), and what to decide. */
export interface DecideInput extends Omit<CollectOptions, 'windowS'> {
  client: PrometheusClient;
  analysis: RunAnalysis;
  request: DecisionRequest;
}

function slasOnFigures(slas: readonly Sla[]): SlaOnFigure[] {
  return slas.flatMap((s) => (s.measure.kind === 'k6' && s.measure.stat !== 'rate'
    ? [{ id: s.id, metric: s.measure.metric, ...(s.measure.tags?.[ENDPOINT_TAG] ? { endpoint: s.measure.tags[ENDPOINT_TAG] } : {}) }]
    : []));
}

export async function decideRun(input: DecideInput): Promise<RunDecisions> {
  const { request, analysis } = input;
  const problems: string[] = [];
  let timeline: Timeline | null = null;
  let comparable: Baseline | null = null;
  try {
    const [tl, stats] = await Promise.all([
      collectTimeline(input.client, {
        runId: input.runId, selector: input.selector, runStartMs: input.runStartMs, runEndMs: input.runEndMs,
        pushIntervalS: input.pushIntervalS, scrapeIntervalS: input.scrapeIntervalS, slas: input.slas,
        ...(input.targetSelector ? { targetSelector: input.targetSelector } : {}),
      }),
      collectRunStats(input.client, { selector: input.selector, atMs: input.runEndMs, runMs: input.runEndMs - input.runStartMs, slas: input.slas }),
    ]);
    timeline = tl;
    comparable = {
      schemaVersion: BASELINE_SCHEMA_VERSION,
      name: input.runId,
      savedAt: new Date(input.runEndMs).toISOString(),
      runId: input.runId,
      identity: request.identity,
      windowS: tl.windowS,
      figures: figuresOfRun(stats, tl, slasOnFigures(input.slas)),
      slas: analysis.slas.map((s) => ({ id: s.id, value: s.value, unit: s.unit, status: s.status, samples: s.samples })),
      thresholds: analysis.thresholds.map((t) => ({ metric: t.metric, expression: t.expression, value: t.value, unit: t.unit, status: t.status })),
      totals: { requests: analysis.totals.requests, rps: stats.total?.rps ?? null, errorRate: analysis.totals.errorRate },
      p95Timeline: { windowS: tl.windowS, atSeconds: tl.atMs.map((t) => Math.round((t - input.runStartMs) / 100) / 10), p95Ms: tl.total.p95Ms },
    };
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    problems.push(`the run's timeline could not be read from Prometheus: ${error.message}`);
  }

  const b = request.baseline;
  const baseline = b && comparable
    ? compareWithBaseline(b.baseline, b.path, { identity: request.identity, figures: comparable.figures }, {
      force: b.force,
      policy: { ...REGRESSION_POLICY, ...(b.regressionPct !== undefined ? { maxChangePct: b.regressionPct } : {}) },
    })
    : null;
  if (b && !comparable) problems.push(`no comparison with baseline ${b.baseline.name}: this run's figures could not be read`);

  const capacity = request.assessCapacity && timeline
    ? assessCapacity({
      timeline, slas: input.slas, runStartMs: input.runStartMs, target: request.identity.target,
      ...(request.labConfig ? { config: request.labConfig } : {}),
      ...(request.maxVUs ? { maxVUs: request.maxVUs } : {}),
      ...(request.planForRps !== undefined ? { planForRps: request.planForRps } : {}),
      ...(request.planForUsers !== undefined ? { planForUsers: request.planForUsers } : {}),
    })
    : null;

  const recommendations = recommend({
    slas: analysis.slas, soakChecks: analysis.soakChecks, endpointGroups: analysis.endpointGroups,
    ...(timeline ? { timeline } : {}), ...(capacity ? { capacity } : {}), ...(baseline ? { baseline } : {}),
  });
  return { timeline, comparable, baseline, capacity, recommendations, problems, ...(request.saveBaseline ? { saveBaseline: request.saveBaseline } : {}) };
}

/** Warnings the verdict carries from the decisions: a forced comparison, an invalid capacity result, what could not be read. */
export function decisionWarnings(d: RunDecisions | undefined): string[] {
  if (!d) return [];
  return [
    ...(d.baseline?.forced ? [`compared with baseline ${d.baseline.name} although not comparable (--force-compare): ${d.baseline.notes.filter((n) => n.startsWith('forced')).map((n) => n.replace(/^forced \(--force-compare\): /, '')).join('; ')}`] : []),
    ...(d.capacity && !d.capacity.valid ? [`the load generator saturated: the capacity figures of this run are invalid (${d.capacity.loadGenerator.evidence.join('; ')})`] : []),
    ...d.problems,
  ];
}

/**
 * --save-baseline: store the run's comparable figures, unless the run cannot stand as a baseline
 * (interrupted, stopped early, the lab failed, nothing read). Returns what to tell the user.
 */
export function saveBaseline(d: RunDecisions | undefined, verdict: { kind: string }, partial: boolean, write: (path: string, b: Baseline) => void): string | undefined {
  const to = d?.saveBaseline;
  if (!d || !to) return undefined;
  if (partial || verdict.kind === 'lab-failure' || verdict.kind === 'interrupted' || !d.comparable) {
    return `baseline ${to.name} not saved: a ${partial ? 'partial run' : verdict.kind === 'lab-failure' ? 'run whose lab failed' : 'run without figures'} is no baseline`;
  }
  write(to.path, { ...d.comparable, name: to.name });
  return `baseline ${to.name} saved to ${to.path}`;
}
