// One verdict for a run, across every runner: the SLAs judged from Prometheus, the scenario's own
// thresholds judged across all runners, the soak checks, the lab's own health at the start and the
// end, and each runner's exit code. Pure.
//
// Order of precedence for the exit code: interrupted > lab failure > SLA failure > pass. A lab
// that broke makes the numbers untrustworthy, so that is what the exit code reports first.

import { EXIT_CODE_OF, type VerdictKind } from '../exitCodes.ts';
import { K6_EXIT } from '../k6/runnerContract.ts';
import type { SlaResult } from './slaJudgement.ts';
import type { SoakCheck } from './soakChecks.ts';
import { describeThreshold, formatThresholdValue, type ThresholdResult } from './thresholds.ts';
import { cardinalityHint, type Cardinality } from './cardinality.ts';
import { judgeFaults, type FaultVerdictInput } from '../faults/verdict.ts';

/** One health check of the lab (replication streaming, Redis cluster ok, ...) at one moment. */
export interface LabCheck {
  id: string;
  title: string;
  phase: 'start' | 'end';
  ok: boolean;
  detail: string;
}

/** The lab checks both targets make, by id, with their titles (the detail is each target's own). */
export const LAB_CHECK_TITLES = {
  replication_streaming: 'Postgres replicas streaming',
  redis_cluster_ok: 'Redis cluster state',
  prometheus_scraping: 'Prometheus scraping every lab target',
  alertmanager_ready: 'Alertmanager ready',
  target_healthy: 'Target service health',
} as const;

export function labCheck(id: keyof typeof LAB_CHECK_TITLES, phase: LabCheck['phase'], ok: boolean, detail: string): LabCheck {
  return { id, title: LAB_CHECK_TITLES[id], phase, ok, detail };
}

export interface RunnerOutcome {
  /** 1-based instance id, as the operator numbers runners. */
  instance: number;
  /** k6's exit code; null when the runner never exited normally (killed, never started). */
  exitCode: number | null;
  /** what the target knows beyond the exit code (a pod never scheduled, OOMKilled, a signal). */
  detail?: string;
}

/** A run the lab stopped because a threshold with abortOnFail failed across all runners. */
export interface ThresholdAbort {
  metric: string;
  expression: string;
  value: number | null;
  unit: ThresholdResult['unit'];
  /** how far into the run (ms from the runners' start). */
  afterMs: number;
}

export interface VerdictInput {
  slas: readonly SlaResult[];
  /** the scenario's own thresholds, judged across all runners (default none). */
  thresholds?: readonly ThresholdResult[];
  /** the lab stopped every runner: this threshold (abortOnFail) failed across them. */
  abortedBy?: ThresholdAbort | undefined;
  /** the run's Prometheus series (the guard's stop is a lab failure, the rest warnings). */
  cardinality?: Cardinality | undefined;
  soakChecks: readonly SoakCheck[];
  labChecks: readonly LabCheck[];
  runners: readonly RunnerOutcome[];
  /** the run was interrupted (Ctrl-C): whatever else, the verdict is partial. */
  interrupted: boolean;
  /** failures of the lab found outside the checks (Prometheus unreachable, start failed, ...). */
  labErrors?: readonly string[];
  /** the run's faults and the SLAs outside their windows (lab/faults/verdict.ts says what they mean). */
  faults?: FaultVerdictInput | undefined;
  /** regressions against the baseline (--baseline), each described (lab/baseline/compare.ts describeChange). */
  regressions?: readonly string[];
  /** noted from the decisions (a forced comparison, an invalid capacity result). */
  decisionWarnings?: readonly string[];
}

export interface Verdict {
  kind: VerdictKind;
  /** 'pass' only when kind is pass; a partial run is never a pass. */
  status: 'pass' | 'fail';
  exitCode: number;
  /** why it is not a pass, one line each, most important first. */
  reasons: string[];
  /** noted but not failing (a 10-20% slowdown, a short-run memory trend, SLAs not measured). */
  warnings: string[];
}

function describeRunner(r: RunnerOutcome): string {
  const detail = r.detail ? `: ${r.detail}` : '';
  if (r.exitCode === null) return `runner ${r.instance} did not exit normally (no exit code)${detail}`;
  if (r.exitCode === K6_EXIT.thresholdsFailed) return `runner ${r.instance} failed its k6 thresholds (exit ${r.exitCode})${detail}`;
  if (r.exitCode === K6_EXIT.scriptException) return `runner ${r.instance} hit a script exception (exit ${r.exitCode})${detail}`;
  if (r.exitCode === K6_EXIT.aborted) return `runner ${r.instance} was aborted (exit ${r.exitCode})${detail}`;
  return `runner ${r.instance} exited with ${r.exitCode}${detail}`;
}

function formatValue(value: number, unit: SlaResult['unit']): string {
  if (unit === 'ratio') return `${(value * 100).toFixed(2)}%`;
  if (unit === 'score') return value.toFixed(3);
  if (unit === 'bytes') return `${(value / 1024).toFixed(1)} KiB`;
  return `${value.toFixed(1)} ${unit}`;
}

export function describeSla(s: SlaResult): string {
  const threshold = formatValue(s.threshold, s.unit);
  if (s.status === 'not-measured') return `${s.id} not measured (target ${s.op} ${threshold})`;
  return `${s.id} ${s.status === 'pass' ? 'passed' : 'failed'}: ${formatValue(s.value!, s.unit)} (target ${s.op} ${threshold})`;
}

export function runVerdict(input: VerdictInput): Verdict {
  const labReasons: string[] = [...(input.labErrors ?? [])];
  const slaReasons: string[] = [];
  const warnings: string[] = [];
  const faults = input.faults ? judgeFaults(input.faults, input.slas) : undefined;
  labReasons.push(...(faults?.labReasons ?? []));
  slaReasons.push(...(faults?.slaReasons ?? []));
  warnings.push(...(faults?.warnings ?? []));

  for (const check of input.labChecks) {
    if (!check.ok && !faults?.excusesCheck(check)) labReasons.push(`lab check ${check.id} failed at the ${check.phase}: ${check.detail}`);
  }
  const c = input.cardinality;
  const stoppedByLab = input.interrupted || input.abortedBy !== undefined || c?.stopped === true;
  if (c) {
    const label = c.label ? `; label ${c.label.name} has ${c.label.values} values: ${cardinalityHint(c.label.name)}` : '';
    if (c.stopped) {
      labReasons.push(`stopped every runner: the run made ${c.series ?? 'too many'} Prometheus series, over the limit of ` +
        `${c.maxSeries} (monitoring.cardinality.maxSeries), before Prometheus was in danger${label}`);
    } else if (c.series !== null && c.series >= c.warnSeries) {
      warnings.push(`the run made ${c.series} Prometheus series (warn at ${c.warnSeries})${label}`);
    }
    if (c.urlTag) warnings.push('the url tag was on (--url-tag, or the scenario\'s systemTags): every distinct URL is a Prometheus series');
  }
  if (input.runners.length === 0 && !input.interrupted) labReasons.push('no k6 runner ran');
  for (const runner of input.runners) {
    if (runner.exitCode === 0 || faults?.killedRunners.includes(runner.instance)) continue;
    // a runner judging its own slice is not the verdict: thresholds are judged across all runners
    if (runner.exitCode === K6_EXIT.thresholdsFailed) warnings.push(`${describeRunner(runner)} on its own slice; thresholds are judged across all runners`);
    else if (!stoppedByLab) labReasons.push(describeRunner(runner));
  }

  const thresholds = input.thresholds ?? [];
  const measured = input.slas.filter((s) => s.status !== 'not-measured').length + thresholds.filter((t) => t.status !== 'not-measured').length;
  if (input.slas.length + thresholds.length > 0 && measured === 0 && !input.interrupted) {
    labReasons.push('no SLA could be measured: no k6 samples reached Prometheus for this run');
  }
  for (const t of thresholds) {
    if (t.status === 'fail') slaReasons.push(describeThreshold(t));
  }
  for (const sla of input.slas) {
    if (sla.status === 'fail' && !faults?.holdsOutside(sla.id)) slaReasons.unshift(describeSla(sla));
  }
  const notMeasuredThresholds = thresholds.filter((t) => t.status === 'not-measured').map((t) => `${t.metric}: ${t.expression}`);
  if (notMeasuredThresholds.length > 0) warnings.push(`thresholds not measured (no samples): ${notMeasuredThresholds.join(', ')}`);
  if (input.abortedBy) {
    const a = input.abortedBy;
    slaReasons.unshift(`aborted after ${Math.round(a.afterMs / 1000)} s by threshold ${a.metric}: ${a.expression} (abortOnFail), ` +
      `failed across all runners (${formatThresholdValue(a)}); every runner was stopped and the partial results are judged`);
  }
  const notMeasured = input.slas.filter((s) => s.status === 'not-measured').map((s) => s.id);
  if (notMeasured.length > 0) warnings.push(`not measured in this run: ${notMeasured.join(', ')}`);

  for (const check of input.soakChecks) {
    if (check.status === 'fail') slaReasons.push(`soak check ${check.id} failed: ${check.detail}`);
    if (check.status === 'warn') warnings.push(`soak check ${check.id} warns: ${check.detail}`);
  }

  const regressionReasons = (input.regressions ?? []).map((r) => `regression against the baseline: ${r}`);
  warnings.push(...(input.decisionWarnings ?? []));

  let kind: VerdictKind = 'pass';
  if (input.interrupted) kind = 'interrupted';
  else if (labReasons.length > 0) kind = 'lab-failure';
  else if (slaReasons.length > 0) kind = 'sla-failure';
  else if (regressionReasons.length > 0) kind = 'regression';

  const reasons = [
    ...(input.interrupted ? ['interrupted (Ctrl-C): the results are partial'] : []),
    ...labReasons,
    ...slaReasons,
    ...regressionReasons,
  ];
  return { kind, status: kind === 'pass' ? 'pass' : 'fail', exitCode: EXIT_CODE_OF[kind], reasons, warnings };
}
