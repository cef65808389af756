// The report's sections for a run's decisions, from summary.json alone (pure): the charts of the
// run window by window (report.html), the comparison with a baseline, the scalability assessment
// and capacity plan, and the recommendations — as HTML with charts, and as the same tables in
// markdown (report.md keeps report.html's sections).

import type { RunSummary } from './summary.ts';
import { describeChange, RUNBOOK_SOURCE, type Change } from '../baseline/compare.ts';
import { barChart, lineChart, PALETTE, scatterChart, type Band } from './charts.ts';
import { xmlEscape as esc } from './junit.ts';
import { slaById, type SlaId } from '../sla/catalogue.ts';

const n = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const pct = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(1)} %`;

/** Fault windows of a resilience run (issue 12 writes summary.faults[].window), as seconds from the timeline's start. */
function faultBands(s: RunSummary, startMs: number): Band[] {
  const faults = (s as { faults?: Array<{ kind?: string; window?: { from: string; to: string } | null }> }).faults ?? [];
  return faults.flatMap((f) => (f.window ? [{ from: (Date.parse(f.window.from) - startMs) / 1000, to: (Date.parse(f.window.to) - startMs) / 1000, label: f.kind ?? 'fault' }] : []));
}

/** The charts of report.html: throughput, VUs, p95/p99 (with the baseline's), errors, per-endpoint p95, target RSS and CPU, the capacity curve. */
export function chartsHtml(s: RunSummary): string {
  const t = s.timeline;
  if (!t) return '<p>No charts: the run\'s timeline could not be read from Prometheus.</p>';
  const startMs = t.atMs[0]! - t.windowS * 1000;
  const xs = t.atMs.map((at) => (at - startMs) / 1000);
  const bands = faultBands(s, startMs);
  const charts: string[] = [];
  charts.push(lineChart({ id: 'chart-throughput', title: 'Throughput', unit: 'req/s', xs, bands, series: [{ name: 'requests/s (all runners)', values: t.rps, color: PALETTE[0]! }] }));
  charts.push(lineChart({ id: 'chart-vus', title: 'Virtual users', unit: 'VUs', xs, bands, series: [{ name: 'VUs', values: t.vus, color: PALETTE[4]! }] }));
  const overlay = s.baseline && s.baseline.refused.length === 0 ? s.baseline.overlay : undefined;
  charts.push(lineChart({
    id: 'chart-latency', title: 'Latency per window', unit: 'ms', xs, bands,
    series: [
      { name: 'p95', values: t.total.p95Ms, color: PALETTE[0]! },
      { name: 'p99', values: t.total.p99Ms, color: PALETTE[1]! },
      ...(overlay ? [{ name: `baseline ${s.baseline!.name} p95`, values: xs.map((x) => nearest(overlay.atSeconds, overlay.p95Ms, x)), color: PALETTE[7]!, dashed: true }] : []),
    ],
  }));
  charts.push(lineChart({ id: 'chart-errors', title: 'Error rate per window', unit: '%', xs, bands, series: [{ name: 'HTTP errors %', values: t.errorRate.map((v) => (v === null ? null : v * 100)), color: PALETTE[1]! }] }));
  charts.push(barChart({
    id: 'chart-endpoints', title: 'p95 per endpoint group (whole run)', unit: 'ms', legend: ['p95', 'p99 (light)'],
    bars: s.endpointGroups.map((g) => ({ label: g.endpoint, value: g.p95Ms, secondary: g.p99Ms, limit: endpointLimit(g.endpoint) })),
  }));
  const r = t.resources;
  charts.push(lineChart({ id: 'chart-target-rss', title: 'Target resident memory', unit: 'MB', xs, bands, series: [{ name: 'RSS (all processes)', values: r.targetRssMb ?? [], color: PALETTE[3]! }] }));
  charts.push(lineChart({ id: 'chart-target-cpu', title: 'Target CPU', unit: 'cores', xs, bands, series: [{ name: 'CPU cores (all processes)', values: r.targetCpuCores ?? [], color: PALETTE[2]! }] }));
  const c = s.capacity;
  if (c) {
    const markers = [
      ...(c.maxSustainableRps !== null ? [{ x: c.maxSustainableRps, y: c.curve.find((p) => p.rps === c.maxSustainableRps)?.p95Ms ?? 0, label: `sustainable ${n(c.maxSustainableRps)} req/s`, color: PALETTE[2]! }] : []),
      ...(c.firstBreach ? [{ x: c.firstBreach.atRps ?? 0, y: c.curve.find((p) => p.atSeconds === c.firstBreach!.atSeconds)?.p95Ms ?? 0, label: `first breach: ${c.firstBreach.sla}`, color: PALETTE[1]! }] : []),
    ];
    charts.push(scatterChart({
      id: 'chart-capacity', title: 'Capacity curve: p95 against throughput, per window', xUnit: 'req/s', yUnit: 'p95 ms',
      points: c.curve.flatMap((p) => (p.rps !== null && p.p95Ms !== null && p.rps > 0 ? [{ x: p.rps, y: p.p95Ms }] : [])),
      markers, limit: { y: slaById('all_endpoints_p95').threshold, label: `all_endpoints_p95 < ${slaById('all_endpoints_p95').threshold} ms` },
    }));
  }
  return charts.join('\n');
}

function endpointLimit(endpoint: string): number | null {
  try {
    return slaById(`${endpoint}_p95` as SlaId).threshold;
  } catch {
    return slaById('all_endpoints_p95').threshold;
  }
}

function nearest(xs: number[], ys: Array<number | null>, x: number): number | null {
  let best = -1;
  for (let i = 0; i < xs.length; i++) if (best < 0 || Math.abs(xs[i]! - x) < Math.abs(xs[best]! - x)) best = i;
  return best >= 0 && Math.abs(xs[best]! - x) <= (xs[1] ?? 1) - (xs[0] ?? 0) ? ys[best] ?? null : null;
}

interface Table {
  head: string[];
  rows: string[][];
}

function changeRows(changes: Change[]): Table {
  return {
    head: ['figure', 'stat', 'before', 'after', 'change', 'runbook level', 'windows p', 'SLAs'],
    rows: changes.map((c) => [c.id, c.stat, `${n(c.before)} ms`, `${n(c.after)} ms`, pct(c.changePct), c.level ? `level ${c.level}` : '—',
      c.pValue === null ? 'too few windows' : c.pValue < 0.0001 ? c.pValue.toExponential(1) : c.pValue.toFixed(4), c.slas.join(', ') || '—']),
  };
}

/** The decisions' sections as titled paragraphs and tables, rendered by both formats. */
function sections(s: RunSummary): Array<{ title: string; paragraphs: string[]; tables: Table[] }> {
  const out: Array<{ title: string; paragraphs: string[]; tables: Table[] }> = [];
  const b = s.baseline;
  if (b) {
    const p = b.policy;
    const paragraphs = [
      `Compared with baseline ${b.name} (run ${b.baselineRunId}, ${b.path}). A p95/p99 is a regression when it is worse by more than ${p.maxChangePct} %, ` +
      `by at least ${p.minEffectMs.p95} ms on a p95 (${p.minEffectMs.p99} ms on a p99: above what repeated runs of the same target differ by), and its per-window percentiles are larger than the baseline's in a one-sided Mann-Whitney test at p < ${p.alpha} ` +
      `(with at least ${p.minWindows} windows each; fewer: decided on the first two). Levels: ${RUNBOOK_SOURCE}.`,
      ...b.refused.map((r) => `Not compared: ${r}.`),
      ...b.notes.map((note) => `Note: ${note}.`),
      b.refused.length ? '' : `${b.regressions.length} regression(s), ${b.improvements.length} improvement(s), ${b.unchanged} within the noise.`,
      ...(b.skipped.length ? [`Not compared: ${b.skipped.join('; ')}.`] : []),
    ].filter(Boolean);
    out.push({
      title: 'Regression analysis: comparison with the baseline', paragraphs,
      tables: [
        ...(b.regressions.length ? [{ ...changeRows(b.regressions), head: ['regressed: figure', ...changeRows(b.regressions).head.slice(1)] }] : []),
        ...(b.improvements.length ? [{ ...changeRows(b.improvements), head: ['improved: figure', ...changeRows(b.improvements).head.slice(1)] }] : []),
      ],
    });
  }
  const c = s.capacity;
  if (c) {
    const paragraphs = [
      ...(c.valid ? [] : [`INVALID: the load generator saturated, so these figures are k6's limits, not the service's: ${c.loadGenerator.evidence.join('; ')}.`]),
      `Maximum sustainable throughput: ${n(c.maxSustainableRps)} req/s at ${n(c.maxSustainableVus, 0)} VUs (${c.maxSustainableAtSeconds ?? '—'} s), the busiest ${c.windowS}-s window in which every judged SLA held.`,
      c.firstBreach
        ? `First SLA to break: ${c.firstBreach.sla} (${n(c.firstBreach.value)} ${c.firstBreach.unit} against ${c.firstBreach.threshold}) at ${n(c.firstBreach.atRps)} req/s, ${n(c.firstBreach.atVus, 0)} VUs, ${c.firstBreach.atSeconds} s into the run (two windows in a row).`
        : 'No SLA broke for two windows in a row.',
      c.bottleneck ? `Bottleneck: ${c.bottleneck.title}: ${c.bottleneck.evidence}.` : 'Bottleneck: no resource reached its saturation level in this run.',
      ...(c.notMeasured.length ? [`Not measured on this target: ${c.notMeasured.join('; ')}.`] : []),
    ];
    const tables: Table[] = [];
    if (c.saturations.length) tables.push({ head: ['resource saturated', 'evidence'], rows: c.saturations.map((x) => [x.title, x.evidence]) });
    const p = c.plan;
    if (p) {
      paragraphs.push(`Capacity plan for ${n(p.productionRps)} req/s (${p.basis}), ${Math.round(p.headroom * 100)} % headroom, on nodes of ${p.node.cpuCores} CPU / ${n(p.node.memoryMb / 1024, 0)} GiB (the lab config's ${p.node.pool} pool).`);
      tables.push({
        head: ['component', 'cost per request (measured)', 'needed'],
        rows: [
          ['target', `${n((p.perRequest.targetCpuSeconds ?? NaN) * 1000, 3)} CPU-ms; ${n(p.perRequest.targetProcessRssMb, 0)} MB per process`, `${p.targetReplicas ?? '—'} replica(s), ${n(p.targetCores, 2)} cores, ${n(p.targetMemoryMb, 0)} MB`],
          ['Postgres', p.perRequest.pgCpuSeconds === null ? 'CPU not measured on this target' : `${n(p.perRequest.pgCpuSeconds * 1000, 3)} CPU-ms`, p.pgCores === null ? '—' : `${n(p.pgCores, 2)} cores`],
          ['Redis', p.perRequest.redisCpuSeconds === null ? 'not measured' : `${n(p.perRequest.redisCpuSeconds * 1000, 3)} CPU-ms, ${n(p.perRequest.redisCommands, 1)} commands`, p.redisShards === null ? '—' : `${p.redisShards} shard(s), ${n(p.redisCores, 2)} cores, ${n(p.redisCommandsPerS, 0)} commands/s`],
          ['nodes', `${p.perRequest.windows} window(s) near the sustainable point`, `${p.nodes ?? '—'}`],
        ],
      });
      paragraphs.push(...p.notes.map((x) => `Note: ${x}.`));
    } else paragraphs.push(c.valid ? 'No capacity plan: nothing sustainable was measured.' : 'No capacity plan from an invalid run.');
    paragraphs.push(`Cost per transaction: ${c.costPerTransactionUsd === null ? c.cost.detail : `$${c.costPerTransactionUsd.toPrecision(3)} (${c.cost.detail}): ${c.cost.status === 'pass' ? 'PASS' : 'FAIL'} against < $${c.cost.maxUsd}`} (${c.cost.source}).`);
    tables.push({
      head: ['s', 'VUs', 'req/s', 'p95 ms', 'p99 ms', 'errors', 'SLAs failed'],
      rows: c.curve.map((p) => [String(p.atSeconds), n(p.vus, 0), n(p.rps), n(p.p95Ms), n(p.p99Ms), p.errorRate === null ? '—' : `${(p.errorRate * 100).toFixed(2)}%`, p.failed.join(', ') || '—']),
    });
    out.push({ title: 'Scalability assessment and capacity plan', paragraphs, tables });
  }
  if (s.recommendations) {
    out.push({
      title: 'Recommendations',
      paragraphs: s.recommendations.length === 0 ? ['No recommendation: no rule found evidence in this run.'] : [],
      tables: s.recommendations.length ? [{ head: ['recommendation', 'evidence (this run)', 'what to do', 'source'], rows: s.recommendations.map((r) => [r.title, r.evidence, r.action, r.source]) }] : [],
    });
  }
  return out;
}

export function decisionsHtml(s: RunSummary): string {
  return sections(s).map((sec) => [
    `<h2>${esc(sec.title)}</h2>`,
    ...sec.paragraphs.map((p) => `<p>${esc(p)}</p>`),
    ...sec.tables.map((t) => `<table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`),
  ].join('\n')).join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function decisionsMarkdown(s: RunSummary): string[] {
  return sections(s).flatMap((sec) => [
    `## ${sec.title}`, '',
    ...sec.paragraphs.flatMap((p) => [p, '']),
    ...sec.tables.flatMap((t) => [`| ${t.head.map(cell).join(' | ')} |`, `| ${t.head.map(() => '---').join(' | ')} |`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`), '']),
  ]);
}

/** junit.xml: one test case per regression (and per figure compared without one: passes). */
export function regressionCases(s: RunSummary): Array<{ classname: string; name: string; outcome: 'pass' | 'fail' | 'skip'; message: string }> {
  const b = s.baseline;
  if (!b) return [];
  if (b.refused.length) return [{ classname: 'perflab.baseline', name: `baseline ${b.name}`, outcome: 'skip', message: `not compared: ${b.refused.join('; ')}` }];
  return [
    ...b.regressions.map((c) => ({ classname: 'perflab.baseline', name: `${c.id} ${c.stat}`, outcome: 'fail' as const, message: `regression against baseline ${b.name}: ${describeChange(c)}` })),
    ...(b.regressions.length === 0 ? [{ classname: 'perflab.baseline', name: `no regression against ${b.name}`, outcome: 'pass' as const, message: '' }] : []),
  ];
}
