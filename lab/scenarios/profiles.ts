// Load profiles: one scenario shape, written once at the guidelines' real numbers, scaled at run
// time into a seconds-long smoke run, a one-minute CI run, or left as written (`full`). VUS and
// DURATION override the peak VUs and the total length. Pure and free of Node APIs: the scenario
// bundles include this module and apply it inside k6 from __ENV.
//
// Scaling keeps the shape: every VU count and arrival rate is multiplied by one factor (so the mix
// between concurrent scenarios stays the same) and every duration by another (so ramps, plateaus
// and start offsets keep their proportions).

export const LOAD_PROFILES = ['smoke', 'ci', 'full'] as const;
export type LoadProfile = (typeof LOAD_PROFILES)[number];

export interface ProfileShape {
  /** peak VUs over all scenarios together; undefined = as written. */
  peakVUs?: number;
  /** total length of the test; undefined = as written. */
  durationMs?: number;
  /** multiplier for the journeys' think time (sleep between steps). */
  thinkScale: number;
  /** how long a real-time (WebSocket/SSE) client stays connected per iteration, in seconds. */
  realtimeSessionSeconds: number;
}

export const PROFILE_SHAPES: Record<LoadProfile, ProfileShape> = {
  smoke: { peakVUs: 2, durationMs: 5_000, thinkScale: 0.05, realtimeSessionSeconds: 2 },
  ci: { peakVUs: 10, durationMs: 60_000, thinkScale: 0.25, realtimeSessionSeconds: 10 },
  full: { thinkScale: 1, realtimeSessionSeconds: 60 },
};

/** graceful stop / ramp-down never shrink below this, so a scaled run does not cut every iteration. */
const MIN_GRACE_MS = 2_000;
/**
 * ... and a browser scenario's not below this: one browser iteration (a journey of several pages)
 * takes seconds, and one cut short measures nothing.
 */
const MIN_BROWSER_GRACE_MS = 15_000;
/** k6 refuses a constant-vus / constant-arrival-rate / iterations duration under 1 s. */
const MIN_EXECUTOR_DURATION_MS = 1_000;

export interface Stage {
  duration: string;
  target: number;
}
interface BaseScenario {
  startTime?: string;
  gracefulStop?: string;
  exec?: string;
  env?: Record<string, string>;
  tags?: Record<string, string>;
  /** k6/browser: `{ browser: { type: 'chromium' } }` gives the scenario's VUs a browser. */
  options?: { browser?: { type: 'chromium' } };
}
export interface ConstantVUs extends BaseScenario {
  executor: 'constant-vus';
  vus?: number;
  duration: string;
}
export interface RampingVUs extends BaseScenario {
  executor: 'ramping-vus';
  stages: Stage[];
  startVUs?: number;
  gracefulRampDown?: string;
}
export interface ConstantArrivalRate extends BaseScenario {
  executor: 'constant-arrival-rate';
  duration: string;
  rate: number;
  timeUnit?: string;
  preAllocatedVUs: number;
  maxVUs?: number;
}
export interface RampingArrivalRate extends BaseScenario {
  executor: 'ramping-arrival-rate';
  stages: Stage[];
  startRate?: number;
  timeUnit?: string;
  preAllocatedVUs: number;
  maxVUs?: number;
}
export interface SharedIterations extends BaseScenario {
  executor: 'shared-iterations';
  vus?: number;
  iterations?: number;
  maxDuration?: string;
}
export interface PerVUIterations extends BaseScenario {
  executor: 'per-vu-iterations';
  vus?: number;
  iterations?: number;
  maxDuration?: string;
}
/** A k6 scenario (the same shape as @types/k6's Scenario, without depending on k6 types). */
export type LabScenario =
  | ConstantVUs
  | RampingVUs
  | ConstantArrivalRate
  | RampingArrivalRate
  | SharedIterations
  | PerVUIterations;
export type LabScenarios = Record<string, LabScenario>;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** k6 duration ("8h", "1m30s", "500ms", "1.5s") in ms; an error names the bad value. */
export function parseDuration(text: string, field = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed); // a bare number is ms in k6
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new Error(`${field}: "${text}" is not a duration; use e.g. 5s, 1m30s, 8h, 500ms`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** ms as a k6 duration, exact to the millisecond ("1h", "2m30s", "1500ms"). */
export function formatDuration(ms: number): string {
  const rounded = Math.max(0, Math.round(ms));
  if (rounded % 1000 !== 0) return `${rounded}ms`;
  let s = rounded / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return out || '0s';
}

const sumStages = (stages: Stage[]) => stages.reduce((ms, st) => ms + parseDuration(st.duration), 0);

/** How long a scenario runs, from the test start (its startTime included), without graceful stop. */
export function scenarioEndMs(scenario: LabScenario): number {
  const start = scenario.startTime ? parseDuration(scenario.startTime) : 0;
  switch (scenario.executor) {
    case 'constant-vus':
    case 'constant-arrival-rate':
      return start + parseDuration(scenario.duration);
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return start + sumStages(scenario.stages);
    case 'shared-iterations':
    case 'per-vu-iterations':
      return start + parseDuration(scenario.maxDuration ?? '10m');
  }
}

export function totalDurationMs(scenarios: LabScenarios): number {
  return Math.max(0, ...Object.values(scenarios).map(scenarioEndMs));
}

/** The most VUs one scenario can use. */
export function scenarioPeakVUs(scenario: LabScenario): number {
  switch (scenario.executor) {
    case 'constant-vus':
    case 'shared-iterations':
    case 'per-vu-iterations':
      return scenario.vus ?? 1;
    case 'ramping-vus':
      return Math.max(scenario.startVUs ?? 1, ...scenario.stages.map((s) => s.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return Math.max(scenario.preAllocatedVUs, scenario.maxVUs ?? 0);
  }
}

/** Peak VUs of all scenarios together (an upper bound: scenarios are counted as overlapping). */
export function peakVUs(scenarios: LabScenarios): number {
  return Object.values(scenarios).reduce((n, s) => n + scenarioPeakVUs(s), 0);
}

const scaleCount = (n: number | undefined, factor: number) =>
  n === undefined ? undefined : n === 0 ? 0 : Math.max(1, Math.round(n * factor));

function scaleTime(text: string | undefined, factor: number, min = 1): string | undefined {
  return text === undefined ? undefined : formatDuration(Math.max(min, parseDuration(text) * factor));
}

function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** Multiplies every VU count and arrival rate by `factor` (non-zero values stay >= 1). */
export function scaleLoad(scenario: LabScenario, factor: number): LabScenario {
  const stages = (list: Stage[]) => list.map((s) => ({ ...s, target: scaleCount(s.target, factor)! }));
  switch (scenario.executor) {
    case 'constant-vus':
    case 'shared-iterations':
    case 'per-vu-iterations':
      return defined({ ...scenario, vus: scaleCount(scenario.vus ?? 1, factor) });
    case 'ramping-vus':
      return defined({ ...scenario, startVUs: scaleCount(scenario.startVUs, factor), stages: stages(scenario.stages) });
    case 'constant-arrival-rate':
      return defined({
        ...scenario,
        rate: scaleCount(scenario.rate, factor)!,
        preAllocatedVUs: scaleCount(scenario.preAllocatedVUs, factor)!,
        maxVUs: scaleCount(scenario.maxVUs, factor),
      });
    case 'ramping-arrival-rate':
      return defined({
        ...scenario,
        startRate: scaleCount(scenario.startRate, factor),
        stages: stages(scenario.stages),
        preAllocatedVUs: scaleCount(scenario.preAllocatedVUs, factor)!,
        maxVUs: scaleCount(scenario.maxVUs, factor),
      });
  }
}

/** Multiplies every duration (stages, durations, start offsets) by `factor`. */
export function scaleTimeline(scenario: LabScenario, factor: number): LabScenario {
  const stages = (list: Stage[]) => list.map((s) => ({ ...s, duration: scaleTime(s.duration, factor)! }));
  const minGrace = scenario.options?.browser ? MIN_BROWSER_GRACE_MS : MIN_GRACE_MS;
  const grace = (text: string | undefined) =>
    text === undefined ? undefined : formatDuration(Math.min(parseDuration(text), Math.max(minGrace, parseDuration(text) * factor)));
  const common = {
    startTime: scenario.startTime === undefined ? undefined : scaleTime(scenario.startTime, factor, 0),
    gracefulStop: grace(scenario.gracefulStop ?? '30s'),
  };
  switch (scenario.executor) {
    case 'constant-vus':
    case 'constant-arrival-rate':
      return defined({ ...scenario, ...common, duration: scaleTime(scenario.duration, factor, MIN_EXECUTOR_DURATION_MS)! });
    case 'ramping-vus':
      return defined({
        ...scenario,
        ...common,
        stages: stages(scenario.stages),
        gracefulRampDown: grace(scenario.gracefulRampDown ?? '30s'),
      });
    case 'ramping-arrival-rate':
      return defined({ ...scenario, ...common, stages: stages(scenario.stages) });
    case 'shared-iterations':
    case 'per-vu-iterations':
      return defined({ ...scenario, ...common, maxDuration: scaleTime(scenario.maxDuration ?? '10m', factor, MIN_EXECUTOR_DURATION_MS) });
  }
}

/** A run's load: the profile, and the VUS / DURATION overrides (the same on both targets). */
export interface LoadShape {
  profile: LoadProfile;
  /** peak VUs over all scenarios (the VUS env); overrides the profile's. */
  vus?: number;
  /** total test length (the DURATION env); overrides the profile's. */
  duration?: string;
}

/** The scenarios as they run under a profile and the VUS / DURATION overrides. */
export function shapeScenarios(full: LabScenarios, request: LoadShape): LabScenarios {
  const shape = PROFILE_SHAPES[request.profile];
  if (!shape) throw new Error(`PROFILE: "${request.profile}" is not a profile; valid: ${LOAD_PROFILES.join(', ')}`);
  const wantVUs = request.vus ?? shape.peakVUs;
  const wantMs = request.duration !== undefined ? parseDuration(request.duration, 'DURATION') : shape.durationMs;
  if (wantVUs !== undefined && (!Number.isInteger(wantVUs) || wantVUs < 1)) {
    throw new Error(`VUS: ${wantVUs} is not a positive whole number`);
  }
  if (wantMs !== undefined && wantMs <= 0) throw new Error(`DURATION: must be longer than 0`);
  const loadFactor = wantVUs === undefined ? 1 : wantVUs / peakVUs(full);
  const timeFactor = wantMs === undefined ? 1 : wantMs / totalDurationMs(full);
  return Object.fromEntries(
    Object.entries(full).map(([name, scenario]) => {
      let shaped = scenario;
      if (loadFactor !== 1) shaped = scaleLoad(shaped, loadFactor);
      if (timeFactor !== 1) shaped = scaleTimeline(shaped, timeFactor);
      return [name, shaped];
    }),
  );
}

/** Reads PROFILE / VUS / DURATION as given in the environment (strings), validating each. */
export function loadShapeFromEnv(env: Record<string, string | undefined>): LoadShape {
  const profile = (env.PROFILE ?? 'smoke') as LoadProfile;
  if (!LOAD_PROFILES.includes(profile)) {
    throw new Error(`PROFILE: "${env.PROFILE}" is not a profile; valid: ${LOAD_PROFILES.join(', ')}`);
  }
  let vus: number | undefined;
  if (env.VUS !== undefined && env.VUS !== '') {
    vus = Number(env.VUS);
    if (!Number.isInteger(vus) || vus < 1) throw new Error(`VUS: "${env.VUS}" is not a positive whole number`);
  }
  const duration = env.DURATION === undefined || env.DURATION === '' ? undefined : env.DURATION;
  if (duration !== undefined) parseDuration(duration, 'DURATION');
  return { profile, vus, duration };
}
