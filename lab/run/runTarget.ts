// Where a run happens, as the run skeleton (executeRun.ts) sees it: a target starts or reaches
// the lab, says how healthy the lab is, runs the k6 runners until they have all ended, and stops
// what it started. Two implementations: localTarget.ts (the lab as processes on this machine) and
// clusterTarget.ts (the lab on Kubernetes, runners as a k6-operator TestRun).
//
// Targets report facts (lab checks, each runner's exit code, why something ended early); the one
// verdict (lab/analysis/verdict.ts) decides what they mean.

import type { K6SummaryExport } from '../analysis/slaMeasurements.ts';
import type { LabCheck, RunnerOutcome, Verdict } from '../analysis/verdict.ts';
import type { CardinalityLevels } from '../analysis/cardinality.ts';
import type { RunIo } from './io.ts';
import type { TargetResources } from '../sla/promql.ts';
import type { LabConfig } from '../config/types.ts';
import type { RunPlan } from './plan.ts';
import type { DecisionRequest } from '../decisions/decideRun.ts';
import type { PreparedScenario } from './prepare.ts';
import type { FaultDriver } from '../faults/driver.ts';

/** Everything a target is given for one run. */
export interface RunContext {
  plan: RunPlan;
  prepared: PreparedScenario;
  /** results/<run-id>/, already created. */
  resultsDir: string;
  /** the lab config (LAB_PROFILE / LAB_CONFIG), read for both targets: the target's limits, cardinality levels. */
  labConfig?: LabConfig;
  io: RunIo;
  /** the cardinality guard's levels (default lab/analysis/cardinality.ts CARDINALITY_LEVELS). */
  cardinality?: CardinalityLevels;
  /** baselines, comparison, capacity (lab/decisions/request.ts): what the run decides beyond its verdict. */
  decisions?: DecisionRequest & { scrapeIntervalS: number };
}

/** The lab, reached: what judges the run and what the runners test. */
export interface ReachedLab {
  /** the Prometheus the runners remote-write to, as reachable from here. */
  prometheusUrl: string;
  /** the service under test, as the runners reach it. */
  baseUrl: string;
  /** label matchers of the service's own metrics in Prometheus (undefined: the lab's default job). */
  targetSelector?: string;
  /** what each process of the lab's own target is given (its CPU and memory SLAs are shares of it); undefined: not the lab's target. */
  targetResources?: TargetResources;
  /** how long after the runners end their last remote-write push needs to be queryable. */
  lastPushMs: number;
  /** how often the runners remote-write, in seconds (the progress line's rate window follows it). */
  pushIntervalS: number;
}

/** What the runners left behind once every one of them has ended. */
export interface RunnersEnded {
  runners: RunnerOutcome[];
  /** the runners' own k6 summaries, where the target has them (exact rates across runners). */
  summaries: K6SummaryExport[];
  /** why the runners ended without every runner's result (start failed, TestRun error, timeout). */
  problem?: string;
}

/** A lab that cannot be started or reached: the message is the reason a user reads. */
export class LabUnavailable extends Error {}

export interface RunTarget {
  /** Start the lab or reach it; throws LabUnavailable (or any error) with the reason when it cannot. */
  reachLab(): Promise<ReachedLab>;
  /** The lab's health at the start (before the runners) or the end (after them), as checks. */
  checkLab(phase: LabCheck['phase']): Promise<LabCheck[]>;
  /**
   * Start the runners and wait until all have ended. `stop` aborts them: Ctrl-C, or a threshold
   * with abortOnFail that failed across all runners.
   */
  runRunners(lab: ReachedLab, stop: AbortSignal): Promise<RunnersEnded>;
  /** Once the results are written: stop what reachLab started, or keep it (local --keep). */
  release(verdict: Verdict): Promise<void>;
  /** While the runners are not running yet, what they wait for (e.g. "stage initialization"). */
  waiting?(): string | undefined;
  /** Faults (lab/faults): how this target injects the kinds it supports and tells the part hit is back. */
  faultDriver?(lab: ReachedLab): FaultDriver;
  /** When the runners started (epoch ms), once they have: fault offsets count from there. */
  runnersStartedAt?(): number | undefined;
}
