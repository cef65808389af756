// What a run's faults mean for its verdict (lab/analysis/verdict.ts asks this; pure):
//
// - a fault not recovered within the limit fails the run (exit 1), named — the guidelines'
//   "Recovery Time: < 5 minutes" is an SLA like the others;
// - the lab checks it was expected to break are not a lab failure: an unrecovered fault's expected
//   checks failing at the end are its own failure (reported once, as the fault); a recovered
//   fault's checks are green again by the end, since the run waits for its recovery;
// - a fault that could not be injected is a lab failure; one the run ended before is a warning;
// - runner-kill: the runner it killed is not a crashed runner; the verdict names it, the SLAs are
//   judged on what the other runners measured, and the run is partial;
// - SLAs are judged over the whole run (as every run) and, separately, outside the fault windows
//   (measure.ts). A fault is meant to hurt: what a resilience run must show is that the service
//   holds its SLAs when nothing is broken and recovers from each fault within the limit. So an SLA
//   failing outside the fault windows fails the run; one failing over the whole run but holding
//   outside the fault windows is a warning naming the faults' impact; one that cannot be measured
//   outside the windows (k6's cumulative rates, shares of the target's limits) is judged over the
//   whole run, as in any run.

import type { SlaResult } from '../analysis/slaJudgement.ts';
import { FAULT_KIND_INFO, faultLabel } from './kinds.ts';
import type { FaultOutcome } from './outcome.ts';
import { fmtS } from './recovery.ts';

export interface FaultVerdictInput {
  outcomes: readonly FaultOutcome[];
  /** the SLAs outside the fault windows (measure.ts). */
  slasOutside: readonly SlaResult[];
}

export interface FaultVerdict {
  labReasons: string[];
  slaReasons: string[];
  warnings: string[];
  /** an end-of-run lab check that an unrecovered fault explains (its reason covers it). */
  excusesCheck(check: { id: string; phase: string }): boolean;
  /** runners a fault killed: not crashed runners. */
  killedRunners: number[];
  /** a runner was killed: the results are partial. */
  partial: boolean;
  /** an SLA that fails over the whole run but holds outside the fault windows (a warning, not a failure). */
  holdsOutside(slaId: string): boolean;
}

const unit = (s: SlaResult, v: number) => (s.unit === 'ratio' ? `${(v * 100).toFixed(2)}%` : `${Math.round(v * 10) / 10} ${s.unit}`);

export function judgeFaults(input: FaultVerdictInput, slasWhole: readonly SlaResult[]): FaultVerdict {
  const labReasons: string[] = [];
  const slaReasons: string[] = [];
  const warnings: string[] = [];
  const unrecoveredKinds = new Set<string>();
  const killedRunners: number[] = [];
  const holding = new Set<string>();
  for (const o of input.outcomes) {
    const label = faultLabel({ kind: o.kind, at: o.at, ...(o.duration ? { duration: o.duration } : {}) });
    if (!o.injected) {
      if (o.notInjected?.startsWith('the injection failed')) labReasons.push(`fault ${label}: ${o.notInjected}`);
      else warnings.push(`fault ${label} was not injected: ${o.notInjected}`);
      continue;
    }
    if (o.kind === 'runner-kill' && o.runner !== null) {
      killedRunners.push(o.runner);
      warnings.push(`runner ${o.runner} was killed by fault ${label}: the SLAs are judged on what the other runner(s) measured; the results are partial`);
    }
    if (!o.recovered) {
      unrecoveredKinds.add(o.kind);
      slaReasons.push(`fault ${label} (${o.target}) not recovered within ${fmtS(o.maxRecoveryMs)} (--max-recovery): ${o.notes[0] ?? 'no recovery seen'}`);
    }
    if (o.unexpectedChecks.length > 0) {
      warnings.push(`fault ${label}: lab check(s) ${o.unexpectedChecks.join(', ')} failed meanwhile, which ${o.kind} is not expected to break`);
    }
  }
  for (const outside of input.slasOutside) {
    const whole = slasWhole.find((s) => s.id === outside.id);
    if (outside.status === 'fail' && whole?.status !== 'fail') {
      slaReasons.push(`${outside.id} failed outside the fault windows: ${unit(outside, outside.value!)} (target ${outside.op} ${unit(outside, outside.threshold)})`);
    }
    if (outside.status === 'pass' && whole?.status === 'fail') {
      holding.add(outside.id);
      warnings.push(`${outside.id} fails over the whole run (${unit(whole, whole.value!)}, target ${whole.op} ${unit(whole, whole.threshold)}) ` +
        `but holds outside the fault windows (${unit(outside, outside.value!)}): the faults' impact, judged by their recovery`);
    }
  }
  return {
    labReasons, slaReasons, warnings, killedRunners,
    partial: killedRunners.length > 0,
    holdsOutside: (id) => holding.has(id),
    excusesCheck: (check) => check.phase === 'end' &&
      [...unrecoveredKinds].some((kind) => FAULT_KIND_INFO[kind as keyof typeof FAULT_KIND_INFO].expectedChecks.includes(check.id)),
  };
}
