// Before anything starts: type-check and bundle the scenario, ask k6 what it will run under the
// chosen profile (max VUs, total duration), and have k6 check the scenario's own thresholds (and
// say what kind each metric is: lab/scenarios/probe.ts), so the lab can judge them across all
// runners. A scenario that does not type-check or load, or a threshold the lab cannot judge, is a
// usage error (exit 2): nothing has been started yet.

import { buildScenario } from '../scenarios/build.ts';
import { parseDuration } from '../scenarios/profiles.ts';
import { localDurationProblem, localVusProblem, UsageError } from './flags.ts';
import { assertRunnersFit, scenarioEnv } from '../k6/runnerContract.ts';
import { parseThresholds, thresholdProblem, ThresholdError, type K6MetricInfo, type ParsedThreshold } from '../k6/thresholdSyntax.ts';
import { ensureK6 } from '../k6/binary.ts';
import { probeScenarioMetrics } from '../scenarios/probe.ts';
import { slaOfThreshold } from '../scenarios/thresholds.ts';
import type { RunPlan } from './plan.ts';
import { faultPlanProblems, scenarioFaults, type FaultSpec } from '../faults/kinds.ts';

export interface PreparedScenario {
  bundlePath: string;
  bytes: number;
  maxVUs: number;
  /** k6's total duration including graceful stops; undefined when k6 did not say. */
  totalDurationMs: number | undefined;
  totalDuration: string | undefined;
  /** SLA ids the scenario declares (its thresholds). */
  slaIds: string[];
  /** every threshold of the scenario (its SLAs' and its own), parsed. */
  thresholds: ParsedThreshold[];
  /** the thresholds that are not a catalogue SLA's: judged and reported as the scenario's own. */
  userThresholds: ParsedThreshold[];
  /** the k6 type of each metric a threshold names. */
  metrics: Record<string, K6MetricInfo>;
  /**
   * Leave k6's system tags alone (--url-tag, or the scenario sets its own `systemTags`); else the
   * runners drop the `url` tag (lab/k6/runnerContract.ts).
   */
  keepSystemTags: boolean;
  /** the url tag reaches Prometheus this run (the summary warns: a series per distinct URL). */
  urlTag: boolean;
  /** a k6 scenario of it has browser VUs (options.browser): the runners need Chromium. */
  usesBrowser: boolean;
  /** the run's faults: the scenario's options.ext.perflab.faults, then --fault (lab/faults). */
  faults: FaultSpec[];
}

export interface PrepareOptions {
  /** how long k6 may take to load the scenario's init code (default SCENARIO_LOAD_TIMEOUT_MS, 30 s). */
  loadTimeoutMs?: number;
}

export async function prepareScenario(plan: RunPlan, outDir: string, options: PrepareOptions = {}): Promise<PreparedScenario> {
  let built;
  try {
    built = await buildScenario(plan.scenario.file, { outDir, env: plan.userEnv, ...options });
  } catch (error) {
    throw new UsageError(`scenario ${plan.scenario.name}: ${(error as Error).message}`);
  }
  let inspection;
  try {
    inspection = built.inspect(plan.shape);
  } catch (error) {
    throw new UsageError(`scenario ${plan.scenario.name}: ${(error as Error).message}`);
  }
  try {
    assertRunnersFit(plan.parallelism, inspection.maxVUs, { scenario: plan.scenario.name, shape: plan.shape });
  } catch (error) {
    throw new UsageError(`--parallelism: ${(error as Error).message}`);
  }
  if (plan.target === 'local') {
    // the local target's limits (flags.ts), on what k6 will really run: the profile's shape or the script's own
    const what = `scenario ${plan.scenario.name} (profile ${plan.shape.profile})`;
    const totalMs = parseDurationOrUndefined(inspection.totalDuration);
    const problem = localVusProblem(inspection.maxVUs, what) ?? (totalMs === undefined ? undefined : localDurationProblem(totalMs, what));
    if (problem) throw new UsageError(problem);
  }
  let thresholds: ParsedThreshold[];
  let metrics: Record<string, K6MetricInfo> = {};
  try {
    thresholds = parseThresholds(inspection.thresholds);
    if (thresholds.length > 0) {
      metrics = await probeScenarioMetrics(built.bundlePath, scenarioEnv(plan.shape, plan.baseUrl, plan.userEnv), ensureK6(), options.loadTimeoutMs, plan.scenario.file);
    }
    const problem = thresholds.map((t) => thresholdProblem(t, metrics)).find((p) => p !== undefined);
    if (problem) throw new ThresholdError(problem);
  } catch (error) {
    throw new UsageError(`scenario ${plan.scenario.name}: ${(error as Error).message}`);
  }
  const totalDurationMs = parseDurationOrUndefined(inspection.totalDuration);
  let faults: FaultSpec[];
  try {
    faults = [...scenarioFaults(inspection.faults), ...plan.faults];
  } catch (error) {
    throw new UsageError(`scenario ${plan.scenario.name}: ${(error as Error).message}`);
  }
  // the run's length: --duration (the load's own, k6's total adds the graceful stop), else k6's total
  const runDurationMs = plan.shape.duration !== undefined ? parseDurationOrUndefined(plan.shape.duration) : totalDurationMs;
  const faultProblems = faultPlanProblems(faults, { target: plan.target, parallelism: plan.parallelism, runDurationMs, baseUrl: plan.baseUrl !== undefined });
  if (faultProblems.length > 0) throw new UsageError(`scenario ${plan.scenario.name}: fault ${faultProblems.join('; ')}`);
  return {
    bundlePath: built.bundlePath,
    bytes: built.bytes,
    maxVUs: inspection.maxVUs,
    totalDurationMs,
    totalDuration: inspection.totalDuration,
    slaIds: [...built.slaIds],
    thresholds,
    // a threshold is an SLA's own only where the scenario declares that SLA: a plain k6 script
    // whose threshold reads like a catalogue SLA's (the guidelines' `http_req_failed: rate<0.1`)
    // has it judged as its own, not dropped as an SLA it did not ask for
    userThresholds: thresholds.filter((t) => {
      const sla = slaOfThreshold(t.key, t.expression);
      return sla === undefined || !built.slaIds.includes(sla);
    }),
    metrics,
    keepSystemTags: plan.urlTag || inspection.systemTags !== null,
    urlTag: plan.urlTag || (inspection.systemTags ?? []).includes('url'),
    usesBrowser: Object.values(inspection.scenarios).some((s) => (s.options as { browser?: unknown } | undefined)?.browser !== undefined),
    faults,
  };
}

function parseDurationOrUndefined(text: string | undefined): number | undefined {
  try {
    return text === undefined ? undefined : parseDuration(text);
  } catch {
    return undefined;
  }
}
