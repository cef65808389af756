// Before anything starts: type-check and bundle the scenario, and ask k6 what it will run under
// the chosen profile (max VUs, total duration). A scenario that does not type-check or load is a
// usage error (exit 2): nothing has been started yet.

import { buildScenario } from '../scenarios/build.ts';
import { parseDuration } from '../scenarios/profiles.ts';
import { UsageError } from './flags.ts';
import { assertRunnersFit } from '../k6/runnerContract.ts';
import type { RunPlan } from './plan.ts';

export interface PreparedScenario {
  bundlePath: string;
  bytes: number;
  maxVUs: number;
  /** k6's total duration including graceful stops; undefined when k6 did not say. */
  totalDurationMs: number | undefined;
  totalDuration: string | undefined;
  /** SLA ids the scenario declares (its thresholds). */
  slaIds: string[];
}

export async function prepareScenario(plan: RunPlan, outDir: string): Promise<PreparedScenario> {
  let built;
  try {
    built = await buildScenario(plan.scenario.file, { outDir, env: plan.userEnv });
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
  let totalDurationMs: number | undefined;
  try {
    totalDurationMs = parseDuration(inspection.totalDuration);
  } catch {
    totalDurationMs = undefined;
  }
  return {
    bundlePath: built.bundlePath,
    bytes: built.bytes,
    maxVUs: inspection.maxVUs,
    totalDurationMs,
    totalDuration: inspection.totalDuration,
    slaIds: [...built.slaIds],
  };
}
