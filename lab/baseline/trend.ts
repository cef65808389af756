// Continuous baselining over the results folder (guidelines §8.2), pure: per SLA, its history
// across runs, a rolling baseline of it (p50, p95, p99 of the values, their standard deviation, the
// trend per run), and the runs that regressed against the run before them — decided as --baseline
// decides (compare.ts: over 10 %, the minimum effect, the rank test over per-window percentiles),
// between runs that are comparable (same scenario, VUs, target, profile, duration, runners).

import type { RunSummary } from '../report/summary.ts';
import { comparability, compareFigures, type Change, type RegressionPolicy, REGRESSION_POLICY } from './compare.ts';

export interface SlaTrend {
  id: string;
  unit: string;
  history: Array<{ runId: string; startedAt: string; value: number | null; status: string }>;
  /** the rolling baseline over the measured values. */
  baseline: { runs: number; p50: number | null; p95: number | null; p99: number | null; stddev: number | null; trendPerRun: number | null };
}

export interface TrendReport {
  runs: number;
  scenario: string | null;
  slas: SlaTrend[];
  regressed: Array<{ runId: string; against: string; regressions: Change[] }>;
}

/** The q-quantile of sorted values, linear between ranks. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function stats(values: number[]): SlaTrend['baseline'] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : 0;
  const stddev = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  // least-squares slope over the run index: how much the value moves per run
  let trend: number | null = null;
  if (n > 1) {
    const xMean = (n - 1) / 2;
    let num = 0;
    let den = 0;
    values.forEach((v, i) => { num += (i - xMean) * (v - mean); den += (i - xMean) ** 2; });
    trend = num / den;
  }
  return { runs: n, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), stddev, trendPerRun: trend };
}

export function trendOf(summaries: readonly RunSummary[], opts: { scenario?: string; last?: number; policy?: RegressionPolicy } = {}): TrendReport {
  let runs = [...summaries].filter((s) => !s.partial && (opts.scenario === undefined || s.scenario === opts.scenario))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  if (opts.last !== undefined) runs = runs.slice(-opts.last);
  const ids = [...new Set(runs.flatMap((r) => r.slas.map((s) => s.id)))];
  const slas: SlaTrend[] = ids.map((id) => {
    const history = runs.flatMap((r) => {
      const s = r.slas.find((x) => x.id === id);
      return s ? [{ runId: r.runId, startedAt: r.startedAt, value: s.value, status: s.status }] : [];
    });
    const unit = runs.flatMap((r) => r.slas.filter((x) => x.id === id).map((x) => x.unit))[0] ?? '';
    return { id, unit, history, baseline: stats(history.flatMap((h) => (h.value === null ? [] : [h.value]))) };
  }).filter((t) => t.baseline.runs > 0);
  const regressed: TrendReport['regressed'] = [];
  for (let i = 1; i < runs.length; i++) {
    const run = runs[i]!;
    if (!run.comparable) continue;
    // the baseline before it: the latest earlier run it is comparable with
    const before = runs.slice(0, i).reverse().find((b) => b.comparable && comparability(b.comparable.identity, run.comparable!.identity).refusals.length === 0);
    if (!before) continue;
    const c = compareFigures(before.comparable!.figures, run.comparable.figures, opts.policy ?? REGRESSION_POLICY);
    if (c.regressions.length > 0) regressed.push({ runId: run.runId, against: before.runId, regressions: c.regressions });
  }
  return { runs: runs.length, scenario: opts.scenario ?? null, slas, regressed };
}
