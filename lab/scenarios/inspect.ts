// Asks k6 itself what a bundle will do under a profile: `k6 inspect --execution-requirements`
// runs the init code with the given env and reports the resolved options, max VUs and duration.
// The SLA ids the scenario declared come back in options.ext.perflab. Init code can loop for
// ever: k6 gets SCENARIO_LOAD_TIMEOUT_MS (k6LoadErrors.ts), then is killed and the load refused.

import { spawnSync } from 'node:child_process';
import { ensureK6 } from '../k6/binary.ts';
import type { LoadShape } from './profiles.ts';
import { K6_DEFAULT_SYSTEM_TAGS, scenarioEnv } from '../k6/runnerContract.ts';
import type { K6SlaId, K6Thresholds } from './thresholds.ts';
import { K6_LOAD_ENV, k6LoadError, SCENARIO_LOAD_TIMEOUT_MS } from './k6LoadErrors.ts';

export interface InspectOptions {
  /** how long k6 may take to load the scenario (default SCENARIO_LOAD_TIMEOUT_MS). */
  timeoutMs?: number;
  /** the scenario file the user wrote, named in errors instead of the bundle. */
  source?: string;
}

export interface ScenarioInspection {
  maxVUs: number;
  /** k6 duration string of the whole run including graceful stops, e.g. "35s". */
  totalDuration: string;
  thresholds: K6Thresholds;
  /** SLA ids declared by the scenario (options.ext.perflab.slas); [] for a plain k6 script. */
  slaIds: K6SlaId[];
  scenarios: Record<string, { executor: string; [field: string]: unknown }>;
  /** the scenario's own `options.systemTags`; null when it sets none. */
  systemTags: string[] | null;
  /** options.ext.perflab.faults as written (lab/faults/kinds.ts scenarioFaults reads it); undefined when none. */
  faults: unknown;
}

export function inspectScenario(
  bundlePath: string, shape: LoadShape, k6: string = ensureK6(), userEnv: Record<string, string> = {}, options: InspectOptions = {},
): ScenarioInspection {
  const { timeoutMs = SCENARIO_LOAD_TIMEOUT_MS, source = bundlePath } = options;
  const envArgs = Object.entries(scenarioEnv(shape, undefined, userEnv)).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const out = spawnSync(k6, ['inspect', '--execution-requirements', '--no-thresholds', ...envArgs, bundlePath], {
    encoding: 'utf8',
    env: { ...process.env, ...K6_LOAD_ENV },
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if ((out.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`k6 did not finish loading ${source} within ${timeoutMs / 1000} s (its init code ran that long: a loop that never ends?)`);
  }
  if (out.error) throw new Error(`could not run k6 (${k6}) to load ${source}: ${out.error.message}`);
  if (out.status !== 0) {
    throw new Error(`k6 could not load ${source} (profile ${shape.profile}): ${k6LoadError(out.stderr || out.stdout, bundlePath, source)}`);
  }
  const parsed = JSON.parse(out.stdout) as {
    maxVUs: number;
    totalDuration: string;
    thresholds: K6Thresholds | null;
    scenarios: ScenarioInspection['scenarios'] | null;
    ext: { perflab?: { slas?: K6SlaId[]; faults?: unknown } } | null;
    systemTags: string[] | null;
  };
  return {
    maxVUs: parsed.maxVUs,
    totalDuration: parsed.totalDuration,
    thresholds: parsed.thresholds ?? {},
    slaIds: parsed.ext?.perflab?.slas ?? [],
    faults: parsed.ext?.perflab?.faults,
    scenarios: parsed.scenarios ?? {},
    // --execution-requirements reports k6's defaults when the scenario sets none: only a different
    // set is the scenario's own
    systemTags: parsed.systemTags && !sameSet(parsed.systemTags, K6_DEFAULT_SYSTEM_TAGS) ? parsed.systemTags : null,
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((x) => a.includes(x));
}
