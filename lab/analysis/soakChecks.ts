// The soak-specific checks of the guidelines (§2.4): does p95 degrade from the first window of
// the run to the last, and does the target's memory keep growing (a leak)? Pure rules over
// numbers the analysis read from Prometheus; the thresholds are the catalogue's SOAK_RULES.

import { SOAK_RULES } from '../sla/catalogue.ts';

export type SoakStatus = 'pass' | 'warn' | 'fail' | 'not-measured';

export interface SoakCheck {
  id: 'p95_degradation' | 'memory_trend';
  title: string;
  status: SoakStatus;
  /** degradation: (last - first) / first; memory: growth in MB per hour. null when not measured. */
  value: number | null;
  unit: 'ratio' | 'MB/h';
  detail: string;
  source: string;
}

export type SoakRules = Pick<typeof SOAK_RULES, 'degradationWarn' | 'degradationFail' | 'degradationMinSlowdownMs' | 'memoryLeakMbPerHour'>;

/** The window compared at each end of the run: a fifth of it, at least 20 s, at most an hour. */
export const WINDOW_SHARE = 0.2;
export const MIN_WINDOW_S = 20;
export const MAX_WINDOW_S = 3600;
/**
 * A memory slope is extrapolated to MB/h; over a few minutes a garbage collector's sawtooth and
 * warm-up (JIT, pools, caches) are all a fit sees — a falling RSS can fit a steep rise. Below this
 * much observed time the trend is "too short to judge", never a number.
 */
export const MIN_LEAK_OBSERVATION_S = 600;

export interface SoakWindows {
  windowS: number;
  /** evaluation times (ms) of the first and the last window: each window ends there. */
  firstEndMs: number;
  lastEndMs: number;
}

/** The first and last windows of a run, or undefined when the run is too short to have two. */
export function soakWindows(runStartMs: number, runEndMs: number): SoakWindows | undefined {
  const durationS = (runEndMs - runStartMs) / 1000;
  const windowS = Math.round(Math.min(MAX_WINDOW_S, Math.max(MIN_WINDOW_S, durationS * WINDOW_SHARE)));
  if (durationS < 2 * windowS) return undefined;
  return { windowS, firstEndMs: runStartMs + windowS * 1000, lastEndMs: runEndMs };
}

const DEGRADATION_SOURCE = SOAK_RULES.source;

export function degradationCheck(
  firstP95Ms: number | undefined,
  lastP95Ms: number | undefined,
  windowS: number | undefined,
  rules: SoakRules = SOAK_RULES,
): SoakCheck {
  const base = { id: 'p95_degradation', title: 'p95 slowdown, last window vs first', unit: 'ratio', source: DEGRADATION_SOURCE } as const;
  if (firstP95Ms === undefined || lastP95Ms === undefined || !Number.isFinite(firstP95Ms) ||
      !Number.isFinite(lastP95Ms) || firstP95Ms <= 0 || windowS === undefined) {
    return { ...base, status: 'not-measured', value: null,
      detail: windowS === undefined ? 'run too short for two windows' : 'no requests in the first or the last window' };
  }
  const degradation = (lastP95Ms - firstP95Ms) / firstP95Ms;
  const belowFloor = lastP95Ms - firstP95Ms < rules.degradationMinSlowdownMs;
  const status: SoakStatus = belowFloor ? 'pass'
    : degradation >= rules.degradationFail ? 'fail' : degradation > rules.degradationWarn ? 'warn' : 'pass';
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const floor = belowFloor && degradation > rules.degradationWarn
    ? `; a slowdown under ${rules.degradationMinSlowdownMs} ms is within measurement noise` : '';
  return {
    ...base,
    status,
    value: degradation,
    detail: `p95 ${firstP95Ms.toFixed(1)} ms in the first ${windowS} s, ${lastP95Ms.toFixed(1)} ms in the last ${windowS} s ` +
      `(${degradation >= 0 ? '+' : ''}${pct(degradation)}; warn above ${pct(rules.degradationWarn)}, fail at ${pct(rules.degradationFail)}${floor})`,
  };
}

export interface MemorySample {
  timeMs: number;
  bytes: number;
}

/** The least-squares line of memory (MB) over time (h): slope in MB/h, and the fitted value at a time. */
export function memoryFit(samples: readonly MemorySample[]): { slopeMbPerHour: number; mbAt: (timeMs: number) => number } {
  const n = samples.length;
  const xs = samples.map((s) => s.timeMs / 3_600_000);
  const ys = samples.map((s) => s.bytes / 1_048_576);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  return { slopeMbPerHour: slope, mbAt: (timeMs) => my + slope * (timeMs / 3_600_000 - mx) };
}

/** Least-squares slope of memory over time, in MB per hour. */
export function memorySlopeMbPerHour(samples: readonly MemorySample[]): number {
  return memoryFit(samples).slopeMbPerHour;
}

/**
 * The target's memory trend. Samples before `warmupEndMs` (the end of the first window) are left
 * out when enough remain, so start-up growth is not read as a leak.
 */
export function memoryTrendCheck(
  samples: readonly MemorySample[],
  warmupEndMs: number | undefined,
  rules: SoakRules = SOAK_RULES,
): SoakCheck {
  const base = { id: 'memory_trend', title: 'Target memory trend (leak)', unit: 'MB/h', source: SOAK_RULES.source } as const;
  const afterWarmup = warmupEndMs === undefined ? [] : samples.filter((s) => s.timeMs >= warmupEndMs);
  const used = afterWarmup.length >= 3 ? afterWarmup : samples;
  if (used.length < 3) {
    return { ...base, status: 'not-measured', value: null, detail: `${samples.length} memory samples of the target (need 3)` };
  }
  const startMs = used[0]!.timeMs;
  const endMs = used[used.length - 1]!.timeMs;
  const spanS = (endMs - startMs) / 1000;
  const mbs = used.map((s) => s.bytes / 1_048_576);
  const range = `RSS between ${Math.min(...mbs).toFixed(1)} and ${Math.max(...mbs).toFixed(1)} MB`;
  if (spanS < MIN_LEAK_OBSERVATION_S) {
    return {
      ...base, status: 'not-measured', value: null,
      detail: `too short to judge: ${used.length} memory samples over ${Math.round(spanS)} s (${range}); a trend needs ${MIN_LEAK_OBSERVATION_S} s`,
    };
  }
  const fit = memoryFit(used);
  const slope = fit.slopeMbPerHour;
  const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  return {
    ...base,
    status: slope > rules.memoryLeakMbPerHour ? 'fail' : 'pass',
    value: slope,
    detail: `least-squares fit of ${used.length} samples from ${clock(startMs)} to ${clock(endMs)} UTC (${Math.round(spanS)} s): ` +
      `${fit.mbAt(startMs).toFixed(1)} -> ${fit.mbAt(endMs).toFixed(1)} MB fitted, ${range}, trend ${slope.toFixed(1)} MB/h ` +
      `(limit ${rules.memoryLeakMbPerHour} MB/h)`,
  };
}
