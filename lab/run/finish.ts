// The report phase of every run, local or cluster, complete or interrupted: one verdict, then
// summary.json, report.md, report.html and junit.xml in results/<run-id>/.

import type { RunAnalysis } from '../analysis/analyseRun.ts';
import { runVerdict, type LabCheck, type RunnerOutcome, type ThresholdAbort } from '../analysis/verdict.ts';
import type { Cardinality } from '../analysis/cardinality.ts';
import { buildSummary, type RunSummary } from '../report/summary.ts';
import { writeRunResults } from '../results/resultsFolder.ts';
import type { RunPlan } from './plan.ts';
import type { RunFaultResults } from '../faults/runFaults.ts';
import { decisionWarnings, saveBaseline, type RunDecisions } from '../decisions/decideRun.ts';
import { decisionsOfSummary } from '../report/summary.ts';
import { describeChange } from '../baseline/compare.ts';
import { writeBaseline } from '../baseline/store.ts';

/** A run that has ended and been judged: its exit code, and where its results are. */
export interface FinishedRun {
  exitCode: number;
  runId: string;
  resultsDir: string;
  summary: RunSummary;
}

export interface FinishInput {
  plan: RunPlan;
  /** SLA ids the scenario declares (PreparedScenario.slaIds). */
  scenarioSlas: readonly string[];
  resultsDir: string;
  startedAt: Date;
  runners: RunnerOutcome[];
  analysis: RunAnalysis;
  labChecks: LabCheck[];
  labErrors: string[];
  interrupted: boolean;
  /** the lab stopped the runners: a threshold with abortOnFail failed across them. */
  abortedBy?: ThresholdAbort | undefined;
  /** the run's series against the guard's levels (the analysis' count at the end, the guard's label and stop). */
  cardinality: Cardinality;
  prometheusUrl: string | null;
  runStartMs: number;
  runEndMs: number;
  /** baselines, capacity, recommendations (lab/decisions/decideRun.ts); undefined when not decided. */
  decisions?: RunDecisions | undefined;
  /** the run's faults, measured (lab/faults/runFaults.ts); undefined when it had none. */
  faults?: RunFaultResults | undefined;
}

export function finishRun(input: FinishInput): FinishedRun {
  const { plan, analysis } = input;
  const verdict = runVerdict({
    slas: analysis.slas,
    thresholds: analysis.thresholds,
    abortedBy: input.abortedBy,
    cardinality: input.cardinality,
    soakChecks: analysis.soakChecks,
    labChecks: input.labChecks,
    runners: input.runners,
    interrupted: input.interrupted,
    labErrors: [...input.labErrors, ...analysis.labErrors],
    faults: input.faults && { outcomes: input.faults.outcomes, slasOutside: input.faults.slasOutside },
    regressions: (input.decisions?.baseline?.regressions ?? []).map(describeChange),
    decisionWarnings: decisionWarnings(input.decisions),
  });
  const summary = buildSummary({
    runId: plan.runId,
    target: plan.target,
    scenario: plan.scenario.name,
    profile: plan.shape.profile,
    vus: plan.shape.vus ?? null,
    duration: plan.shape.duration ?? null,
    parallelism: plan.parallelism,
    baseUrl: plan.baseUrl ?? null,
    scenarioSlas: [...input.scenarioSlas],
    startedAt: input.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    partial: input.interrupted || input.abortedBy !== undefined || (input.faults?.killedRunners.length ?? 0) > 0,
    runners: input.runners,
    slas: analysis.slas,
    thresholds: analysis.thresholds,
    abortedBy: input.abortedBy ?? null,
    cardinality: input.cardinality,
    soakChecks: analysis.soakChecks,
    labChecks: input.labChecks,
    totals: analysis.totals,
    endpointGroups: analysis.endpointGroups,
    ...(analysis.browserPages ? { browserPages: analysis.browserPages } : {}),
    prometheusUrl: input.prometheusUrl,
    verdict,
    ...(input.faults ? { faults: input.faults.outcomes, slasOutsideFaults: input.faults.slasOutside } : {}),
    ...decisionsOfSummary(input.decisions),
  });
  writeRunResults(input.resultsDir, summary);
  const saved = saveBaseline(input.decisions, verdict, summary.partial, writeBaseline);
  if (saved) summary.verdict.warnings.push(saved);
  return { exitCode: verdict.exitCode, runId: plan.runId, resultsDir: input.resultsDir, summary };
}
