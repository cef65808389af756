// A scenario's k6 options: its load shape at the guidelines' real numbers, scaled at run time by
// PROFILE / VUS / DURATION, and thresholds computed from the SLA catalogue for the SLA ids it
// declares. The SLA ids and the profile are also written to `options.ext.perflab`, where the build
// (`k6 inspect`) and the reports read them back.

import type { Options } from 'k6/options';
import { shapeScenarios, type LabScenarios } from '../../lab/scenarios/profiles.ts';
import { thresholdsFor, type K6SlaId } from '../../lab/scenarios/thresholds.ts';
import { RUN } from './env.ts';
import './metrics.ts'; // the custom metrics must exist before k6 validates the thresholds

export interface ScenarioSpec {
  /** SLA ids from lab/sla/catalogue.ts this scenario is judged against. */
  slas: readonly K6SlaId[];
  /** the k6 scenarios at full scale (the `full` profile). */
  scenarios: LabScenarios;
  /** breakpoint tests: stop the run as soon as an SLA threshold fails. */
  abortOnFail?: { delayAbortEval: string };
  /** any other k6 options (e.g. setupTimeout). */
  options?: Options;
}

export interface PerflabExt {
  slas: readonly K6SlaId[];
  profile: string;
}

export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

export function labOptions(spec: ScenarioSpec): Options {
  const perflab: PerflabExt = { slas: spec.slas, profile: RUN.profile };
  return {
    summaryTrendStats: SUMMARY_TREND_STATS,
    ...spec.options,
    scenarios: shapeScenarios(spec.scenarios, RUN) as Options['scenarios'],
    thresholds: thresholdsFor(spec.slas, spec.abortOnFail ? { abortOnFail: true, ...spec.abortOnFail } : {}),
    ext: { ...(spec.options?.ext ?? {}), perflab },
  };
}
