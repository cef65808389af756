// A run against a baseline (pure): is it comparable, and which of its p95/p99 regressed or
// improved beyond the run-to-run noise.
//
// The decision, per figure (every request, each endpoint group, each other time trend an SLA
// judges) and per statistic (p95, p99). A change is a regression only when all three hold:
//   1. it is worse by more than `maxChangePct` (10 %: the guidelines' release criterion "No
//      regression from baseline >10%"; --regression-pct changes it);
//   2. it is worse by at least `minEffectMs` in absolute terms (20 ms on a p95, 50 ms on a p99):
//      above what repeated runs of the same target produced by themselves on this lab (8 local soaks
//      of 25 s at 10 VUs on the shared 2-core machine differed by up to 13.1 ms in a p95 and 47.1 ms
//      in a p99; docs/baselines.md has the runs). Loopback latencies of a few ms double with the
//      machine's load, and the rank test cannot tell a slower machine from a slower service: this
//      floor does;
//   3. the per-window percentiles of the run are stochastically larger than the baseline's: a
//      one-sided Mann-Whitney U test (mannWhitney.ts) at `alpha`, when both runs have at least
//      `minWindows` windows with requests. A figure with fewer is decided on 1 and 2 alone, and says so.
// An improvement is the mirror image. Both are graded by the runbook (guidelines §7.2): level 1
// above 20 % slower, level 2 above 50 %.

import type { Baseline, Figure, RunIdentity } from './baseline.ts';
import { mannWhitneyGreater } from './mannWhitney.ts';

export interface RegressionPolicy {
  maxChangePct: number;
  /** per statistic, ms. */
  minEffectMs: { p95: number; p99: number };
  alpha: number;
  minWindows: number;
  /** figures with fewer requests in either run are not compared. */
  minRequests: number;
}

export const REGRESSION_POLICY: RegressionPolicy = {
  maxChangePct: 10,
  minEffectMs: { p95: 20, p99: 50 },
  alpha: 0.01,
  minWindows: 5,
  minRequests: 100,
};

export const RUNBOOK_LEVELS = [
  { level: 2, abovePct: 50, title: 'Level 2: Severe Degradation (>50% slower)' },
  { level: 1, abovePct: 20, title: 'Level 1: Performance Degradation (>20% slower)' },
] as const;
export const RUNBOOK_SOURCE = 'Pathfinity Performance Testing Guidelines §7.2 Performance Runbook; Release Criteria "No regression from baseline >10%"';

export interface Change {
  /** the figure, e.g. `endpoint:api`, and the SLAs judged on it. */
  id: string;
  slas: string[];
  stat: 'p95' | 'p99';
  before: number;
  after: number;
  changePct: number;
  /** runbook level: 2 (> 50 %), 1 (> 20 %), 0 (over the release criterion, under the runbook's levels). */
  level: 0 | 1 | 2;
  /** the rank test's p-value, or null when too few windows to test. */
  pValue: number | null;
  windows: { before: number; after: number };
}

export interface Comparison {
  regressions: Change[];
  improvements: Change[];
  /** figures compared and found within the noise, and those that could not be compared (why). */
  unchanged: number;
  skipped: string[];
  policy: RegressionPolicy;
}

export function runbookLevel(changePct: number): 0 | 1 | 2 {
  return changePct > 50 ? 2 : changePct > 20 ? 1 : 0;
}

/** Why two runs cannot be compared (refusals), and what differs but does not stop it (notes). */
export function comparability(baseline: RunIdentity, run: RunIdentity): { refusals: string[]; notes: string[] } {
  const refusals: string[] = [];
  const notes: string[] = [];
  const same = <K extends keyof RunIdentity>(key: K, what: string, into: string[]) => {
    if (baseline[key] !== run[key]) into.push(`${what}: baseline ${JSON.stringify(baseline[key])}, this run ${JSON.stringify(run[key])}`);
  };
  same('scenario', 'another scenario', refusals);
  same('target', 'another target', refusals);
  same('vus', 'other VUs', refusals);
  same('profile', 'another load profile', refusals);
  same('duration', 'another duration', refusals);
  same('parallelism', 'another number of runners', refusals);
  same('baseUrl', 'another service (--base-url)', refusals);
  same('bundleHash', 'the scenario\'s bundle changed (its load may differ)', notes);
  same('labConfigHash', 'the lab config changed', notes);
  same('gitCommit', 'another commit', notes);
  return { refusals, notes };
}

function judge(before: Figure, after: Figure, stat: 'p95' | 'p99', policy: RegressionPolicy): Change | 'unchanged' | string {
  const b = stat === 'p95' ? before.p95Ms : before.p99Ms;
  const a = stat === 'p95' ? after.p95Ms : after.p99Ms;
  if (b === null || a === null || b <= 0) return `${before.id} ${stat}: not measured in ${b === null || b <= 0 ? 'the baseline' : 'this run'}`;
  if ((before.count ?? 0) < policy.minRequests || (after.count ?? 0) < policy.minRequests) {
    return `${before.id} ${stat}: too few requests (${before.count ?? 0} and ${after.count ?? 0}, at least ${policy.minRequests})`;
  }
  const changePct = ((a - b) / b) * 100;
  if (Math.abs(changePct) <= policy.maxChangePct || Math.abs(a - b) < policy.minEffectMs[stat]) return 'unchanged';
  const wb = stat === 'p95' ? before.windows.p95Ms : before.windows.p99Ms;
  const wa = stat === 'p95' ? after.windows.p95Ms : after.windows.p99Ms;
  let pValue: number | null = null;
  if (wb.length >= policy.minWindows && wa.length >= policy.minWindows) {
    pValue = (changePct > 0 ? mannWhitneyGreater(wb, wa) : mannWhitneyGreater(wa, wb)).pValue;
    if (pValue >= policy.alpha) return 'unchanged';
  }
  return {
    id: before.id, slas: [...new Set([...before.slas, ...after.slas])], stat, before: b, after: a, changePct,
    level: runbookLevel(Math.abs(changePct)), pValue, windows: { before: wb.length, after: wa.length },
  };
}

export function compareFigures(baseline: readonly Figure[], run: readonly Figure[], policy: RegressionPolicy = REGRESSION_POLICY): Comparison {
  const regressions: Change[] = [];
  const improvements: Change[] = [];
  const skipped: string[] = [];
  let unchanged = 0;
  for (const before of baseline) {
    const after = run.find((f) => f.id === before.id);
    if (!after) {
      skipped.push(`${before.id}: not in this run`);
      continue;
    }
    for (const stat of ['p95', 'p99'] as const) {
      const verdict = judge(before, after, stat, policy);
      if (verdict === 'unchanged') unchanged++;
      else if (typeof verdict === 'string') skipped.push(verdict);
      else (verdict.changePct > 0 ? regressions : improvements).push(verdict);
    }
  }
  const bySize = (x: Change, y: Change) => Math.abs(y.changePct) - Math.abs(x.changePct);
  return { regressions: regressions.sort(bySize), improvements: improvements.sort(bySize), unchanged, skipped, policy };
}

/** "endpoint:api p95 12.0 ms -> 48.3 ms (+302.5 %, runbook level 2)". */
export function describeChange(c: Change): string {
  const level = c.level > 0 ? `, runbook level ${c.level}` : '';
  const test = c.pValue === null ? '; too few windows for the rank test' : `; windows p=${c.pValue < 0.0001 ? c.pValue.toExponential(1) : c.pValue.toFixed(4)}`;
  return `${c.id} ${c.stat} ${c.before.toFixed(1)} ms -> ${c.after.toFixed(1)} ms (${c.changePct > 0 ? '+' : ''}${c.changePct.toFixed(1)} %${level}${test})` +
    `${c.slas.length ? ` [${c.slas.join(', ')}]` : ''}`;
}

/** What summary.json keeps of a comparison with a baseline. */
export interface BaselineComparison {
  name: string;
  /** where the baseline was read from. */
  path: string;
  baselineRunId: string;
  /** refused: not comparable (and not forced): no regressions are decided. */
  refused: string[];
  forced: boolean;
  notes: string[];
  regressions: Change[];
  improvements: Change[];
  unchanged: number;
  skipped: string[];
  policy: RegressionPolicy;
  /** the baseline's whole-run p95 window by window, for the report to overlay. */
  overlay: Baseline['p95Timeline'];
}

export function compareWithBaseline(baseline: Baseline, path: string, run: { identity: RunIdentity; figures: readonly Figure[] }, opts: { force: boolean; policy?: RegressionPolicy }): BaselineComparison {
  const { refusals, notes } = comparability(baseline.identity, run.identity);
  const refused = refusals.length > 0 && !opts.force;
  const comparison = refused ? { regressions: [], improvements: [], unchanged: 0, skipped: [], policy: opts.policy ?? REGRESSION_POLICY } : compareFigures(baseline.figures, run.figures, opts.policy);
  return {
    name: baseline.name, path, baselineRunId: baseline.runId,
    refused: refused ? refusals : [],
    forced: opts.force && refusals.length > 0,
    notes: opts.force && refusals.length > 0 ? [...refusals.map((r) => `forced (--force-compare): ${r}`), ...notes] : notes,
    ...comparison,
    overlay: baseline.p95Timeline,
  };
}
