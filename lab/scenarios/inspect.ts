// Asks k6 itself what a bundle will do under a profile: `k6 inspect --execution-requirements`
// runs the init code with the given env and reports the resolved options, max VUs and duration.
// The SLA ids the scenario declared come back in options.ext.perflab.

import { spawnSync } from 'node:child_process';
import { ensureK6 } from '../k6/binary.ts';
import type { LoadShape } from './profiles.ts';
import { scenarioEnv } from '../k6/runnerContract.ts';
import type { K6SlaId, K6Thresholds } from './thresholds.ts';

export interface ScenarioInspection {
  maxVUs: number;
  /** k6 duration string of the whole run including graceful stops, e.g. "35s". */
  totalDuration: string;
  thresholds: K6Thresholds;
  /** SLA ids declared by the scenario (options.ext.perflab.slas); [] for a plain k6 script. */
  slaIds: K6SlaId[];
  scenarios: Record<string, { executor: string; [field: string]: unknown }>;
}

export function inspectScenario(bundlePath: string, shape: LoadShape, k6: string = ensureK6(), userEnv: Record<string, string> = {}): ScenarioInspection {
  const envArgs = Object.entries(scenarioEnv(shape, undefined, userEnv)).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const out = spawnSync(k6, ['inspect', '--execution-requirements', '--no-thresholds', ...envArgs, bundlePath], {
    encoding: 'utf8',
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
  });
  if (out.status !== 0) {
    const reason = (out.stderr || out.stdout).trim().split('\n').slice(-3).join('\n');
    throw new Error(`k6 could not load ${bundlePath} (profile ${shape.profile}): ${reason}`);
  }
  const parsed = JSON.parse(out.stdout) as {
    maxVUs: number;
    totalDuration: string;
    thresholds: K6Thresholds | null;
    scenarios: ScenarioInspection['scenarios'] | null;
    ext: { perflab?: { slas?: K6SlaId[] } } | null;
  };
  return {
    maxVUs: parsed.maxVUs,
    totalDuration: parsed.totalDuration,
    thresholds: parsed.thresholds ?? {},
    slaIds: parsed.ext?.perflab?.slas ?? [],
    scenarios: parsed.scenarios ?? {},
  };
}
