// From validated flags to the plan of one run: the defaults that suit the target, the run id,
// the scenario's environment (the runner contract's PROFILE, VUS, DURATION, BASE_URL). Pure apart from resolving the
// scenario name or path (which must exist before anything starts) and proving the results root
// can be written (resultsRoot.ts).

import { resolve } from 'node:path';
import { resolveScenario, type ResolvedScenario } from '../scenarios/registry.ts';
import type { LoadProfile, LoadShape } from '../scenarios/profiles.ts';
import { UsageError, type DecisionFlags, type RunCommand, type RunFlags, type Target } from './flags.ts';
import { CAPACITY_SCENARIOS } from '../capacity/assess.ts';
import { newRunId } from './runId.ts';
import { scenarioEnv } from '../k6/runnerContract.ts';
import { prometheusPortForward } from './clusterHints.ts';
import { resultsRootProblem } from './resultsRoot.ts';
import { faultPlanProblems, type FaultSpec } from '../faults/kinds.ts';

export interface TargetDefaults {
  profile: LoadProfile;
  vus?: number;
  duration?: string;
  parallelism: number;
}

/**
 * Defaults per command and target. The local soak is sized for a 2-core machine: a minute at 20
 * VUs is long enough for a first and a last 20 s window; the cluster soak is the guidelines'
 * (the soak scenario's `full` profile: 5000 VUs for 8 h).
 */
export const DEFAULTS: Record<RunCommand, Record<Target, TargetDefaults>> = {
  'run-soak': {
    local: { profile: 'ci', vus: 20, duration: '60s', parallelism: 2 },
    cluster: { profile: 'full', parallelism: 2 },
  },
  run: {
    local: { profile: 'ci', parallelism: 2 },
    cluster: { profile: 'full', parallelism: 2 },
  },
};

export const DEFAULT_SOAK_SCENARIO = 'soak';

export interface RunPlan {
  command: RunCommand;
  runId: string;
  target: Target;
  scenario: ResolvedScenario;
  /** the profile, and explicit VUs / duration (flags or the target's defaults); undefined = the profile's own. */
  shape: LoadShape;
  parallelism: number;
  baseUrl: string | undefined;
  /** GET baseUrl before the runners start (local target; --no-base-url-check: false). */
  baseUrlCheck: boolean;
  targetLatencyMs: number | undefined;
  prometheusUrl: string | undefined;
  namespace: string | undefined;
  resultsRoot: string;
  dryRun: boolean;
  keep: boolean;
  /** first-vs-last window and memory trend: for soaks. */
  soakChecks: boolean;
  /** the user's `-e KEY=VALUE` pairs. */
  userEnv: Record<string, string>;
  /** --url-tag: keep k6's url tag. */
  urlTag: boolean;
  /** --fault (the scenario's own join them in prepare.ts) and --max-recovery, in ms (lab/faults). */
  faults: FaultSpec[];
  maxRecoveryMs: number;
  /** the scenario's environment on every runner (the user's, then the lab's own). */
  scenarioEnv: Record<string, string>;
  /** baselines, comparison, capacity (lab/decisions); assessCapacity is on for the capacity scenarios. */
  decisions: DecisionFlags;
}

export interface PlanContext {
  cwd?: string;
  now?: Date;
  runIdSuffix?: string;
}

export function planRun(flags: RunFlags, command: RunCommand, ctx: PlanContext = {}): RunPlan {
  const cwd = ctx.cwd ?? process.cwd();
  const scenarioArg = flags.scenario ?? DEFAULT_SOAK_SCENARIO;
  let scenario: ResolvedScenario;
  try {
    scenario = resolveScenario(scenarioArg, cwd);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const d = DEFAULTS[command][flags.target];
  // A profile chosen explicitly keeps its own shape: the soak's local VUs/duration defaults only
  // apply when neither the profile nor the value was given.
  const useShapeDefaults = flags.profile === undefined;
  const vus = flags.vus ?? (useShapeDefaults ? d.vus : undefined);
  const duration = flags.duration ?? (useShapeDefaults ? d.duration : undefined);
  const parallelism = flags.parallelism ?? d.parallelism;
  if (flags.target === 'cluster' && !flags.dryRun && flags.prometheusUrl === undefined) {
    throw new UsageError('--prometheus-url: the cluster target needs the lab\'s Prometheus to judge the run, e.g. ' +
      `${prometheusPortForward()} & then --prometheus-url http://127.0.0.1:9090`);
  }
  const resultsRoot = resolve(cwd, flags.resultsDir ?? 'results');
  // a dry run writes no results: its --results-dir only shows in the plan
  const resultsProblem = flags.dryRun ? undefined : resultsRootProblem(flags.resultsDir ?? 'results', cwd);
  if (resultsProblem) throw new UsageError(`--results-dir: ${resultsProblem}`);
  // a fault the target cannot inject, or one that cannot work with these flags, is refused now
  const faultProblems = faultPlanProblems(flags.faults.specs, { target: flags.target, parallelism, runDurationMs: undefined, baseUrl: flags.baseUrl !== undefined });
  if (faultProblems.length > 0) throw new UsageError(`--fault ${faultProblems.join('; ')}`);
  const shape: LoadShape = {
    profile: flags.profile ?? d.profile,
    ...(vus !== undefined ? { vus } : {}),
    ...(duration !== undefined ? { duration } : {}),
  };
  return {
    command,
    runId: newRunId(scenario.name, ctx.now, ctx.runIdSuffix),
    target: flags.target,
    scenario,
    shape,
    parallelism,
    baseUrl: flags.baseUrl,
    baseUrlCheck: flags.baseUrlCheck,
    targetLatencyMs: flags.targetLatencyMs,
    prometheusUrl: flags.prometheusUrl,
    namespace: flags.namespace,
    resultsRoot,
    dryRun: flags.dryRun,
    keep: flags.keep,
    soakChecks: command === 'run-soak' || scenario.name === DEFAULT_SOAK_SCENARIO,
    userEnv: flags.env,
    urlTag: flags.urlTag,
    faults: flags.faults.specs,
    maxRecoveryMs: flags.faults.maxRecoveryMs,
    decisions: { ...flags.decisions, assessCapacity: flags.decisions.assessCapacity || (CAPACITY_SCENARIOS as readonly string[]).includes(scenario.name) },
    scenarioEnv: scenarioEnv(shape, flags.baseUrl, flags.env),
  };
}
