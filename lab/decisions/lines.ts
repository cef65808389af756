// The lines a script prints about a run's decisions, after its verdict: the comparison with the
// baseline (regressions with before, after, change and runbook level; improvements), the capacity
// assessment and plan, and how many recommendations the report holds. Pure.

import type { RunSummary } from '../report/summary.ts';
import { describeChange } from '../baseline/compare.ts';

const n = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : v.toFixed(digits));

export function decisionLines(s: RunSummary): string[] {
  const lines: string[] = [];
  const b = s.baseline;
  if (b) {
    if (b.refused.length > 0) lines.push(`baseline ${b.name}: not compared: ${b.refused.join('; ')}`);
    else {
      lines.push(`baseline ${b.name} (run ${b.baselineRunId}): ${b.regressions.length} regression(s), ${b.improvements.length} improvement(s), ` +
        `${b.unchanged} figure(s) within the noise (a regression: > ${b.policy.maxChangePct} %, >= ${b.policy.minEffectMs.p95} ms on a p95 / ${b.policy.minEffectMs.p99} ms on a p99, windows p < ${b.policy.alpha})`);
      for (const c of b.regressions) lines.push(`  - regressed: ${describeChange(c)}`);
      for (const c of b.improvements) lines.push(`  + improved: ${describeChange(c)}`);
    }
  }
  const c = s.capacity;
  if (c) {
    lines.push(`capacity${c.valid ? '' : ' (INVALID: the load generator saturated)'}: sustainable ${n(c.maxSustainableRps)} req/s at ${n(c.maxSustainableVus, 0)} VUs; ` +
      `first breach ${c.firstBreach ? `${c.firstBreach.sla} at ${n(c.firstBreach.atRps)} req/s, ${n(c.firstBreach.atVus, 0)} VUs, ${c.firstBreach.atSeconds} s` : 'none'}; ` +
      `bottleneck ${c.bottleneck ? `${c.bottleneck.title}: ${c.bottleneck.evidence}` : 'none saturated'}`);
    const p = c.plan;
    if (p) {
      lines.push(`plan for ${n(p.productionRps)} req/s (${p.basis}), headroom ${Math.round(p.headroom * 100)} %: ${p.targetReplicas ?? '—'} target replica(s) (${n(p.targetCores, 2)} cores), ` +
        `Redis ${p.redisShards ?? '—'} shard(s), ${p.nodes ?? '—'} node(s) of ${p.node.cpuCores} CPU / ${Math.round(p.node.memoryMb / 1024)} GiB; cost per transaction: ` +
        `${c.costPerTransactionUsd === null ? c.cost.detail : `$${c.costPerTransactionUsd.toPrecision(3)} (${c.cost.status === 'pass' ? 'under' : 'over'} the $${c.cost.maxUsd} criterion)`}`);
    }
  }
  if (s.recommendations) lines.push(`recommendations: ${s.recommendations.length === 0 ? 'none (no rule found evidence in this run)' : s.recommendations.map((r) => r.title).join('; ')}`);
  return lines;
}
