// The bodies of scripts/compare.mjs and scripts/trend.mjs (the scripts only pass argv): read what
// they compare (I/O), decide with compare.ts / trend.ts (pure), render compare.md / compare.html
// and the trend's lines (pure), and say the exit code.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunSummary } from '../report/summary.ts';
import { lineChart, PALETTE } from '../report/charts.ts';
import { CHART_CSS } from '../report/charts.ts';
import { xmlEscape as esc } from '../report/junit.ts';
import type { Baseline } from './baseline.ts';
import { BaselineError, readBaseline, resolveBaselineRef } from './store.ts';
import { comparability, compareFigures, describeChange, REGRESSION_POLICY, RUNBOOK_SOURCE, type Change, type Comparison } from './compare.ts';
import { trendOf, type TrendReport } from './trend.ts';

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const COMPARE_USAGE = `usage: zx scripts/compare.mjs A B [--force-compare] [--regression-pct N] [--out DIR]

Compares run B with A (each a run folder, results/<run-id>/, a baseline name, baselines/NAME.json,
or a .json file) as --baseline does: a p95/p99 worse by more than 10 % (--regression-pct), by at
least ${REGRESSION_POLICY.minEffectMs.p95} ms on a p95 (${REGRESSION_POLICY.minEffectMs.p99} ms on a p99), with per-window percentiles larger in a one-sided Mann-Whitney test
(p < ${REGRESSION_POLICY.alpha}), is a regression. Prints the comparison and writes compare.md and compare.html
into --out (default: B's run folder, or the current directory). Runs that are not comparable (other
scenario, VUs, target, ...) are refused (exit 2) unless --force-compare.

Exit codes: 0 no regression · 1 B regressed · 2 bad usage or not comparable`;

function load(ref: string, cwd: string): Baseline {
  return readBaseline(resolveBaselineRef(ref, cwd));
}

function table(head: string[], rows: string[][]): { md: string[]; html: string } {
  return {
    md: [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`), ''],
    html: `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
  };
}

const rowsOf = (changes: Change[]) => changes.map((c) => [c.id, c.stat, `${c.before.toFixed(1)} ms`, `${c.after.toFixed(1)} ms`, `${c.changePct > 0 ? '+' : ''}${c.changePct.toFixed(1)} %`,
  c.level ? `level ${c.level}` : '—', c.pValue === null ? 'too few windows' : c.pValue.toPrecision(2), c.slas.join(', ') || '—']);
const HEAD = ['figure', 'stat', 'A', 'B', 'change', 'runbook level', 'windows p', 'SLAs'];

export function renderComparison(a: Baseline, b: Baseline, c: Comparison, notes: string[]): { md: string; html: string } {
  const p = c.policy;
  const intro = `B (${b.runId}) against A (${a.runId}), ${a.identity.scenario} on ${a.identity.target}, ${a.identity.vus ?? 'profile'} VUs. ` +
    `A regression: worse by more than ${p.maxChangePct} %, by at least ${p.minEffectMs.p95} ms (p95) / ${p.minEffectMs.p99} ms (p99), and per-window percentiles larger (one-sided Mann-Whitney, p < ${p.alpha}). Levels: ${RUNBOOK_SOURCE}.`;
  const reg = table(HEAD, rowsOf(c.regressions));
  const imp = table(HEAD, rowsOf(c.improvements));
  const xs = a.p95Timeline.atSeconds.length >= b.p95Timeline.atSeconds.length ? a.p95Timeline.atSeconds : b.p95Timeline.atSeconds;
  const pad = (v: Array<number | null>) => xs.map((_, i) => v[i] ?? null);
  const chart = lineChart({ id: 'chart-compare', title: 'p95 per window, A and B', unit: 'ms', xs,
    series: [{ name: `A ${a.name}`, values: pad(a.p95Timeline.p95Ms), color: PALETTE[7]!, dashed: true }, { name: `B ${b.name}`, values: pad(b.p95Timeline.p95Ms), color: PALETTE[0]! }] });
  const verdict = c.regressions.length ? `B REGRESSED: ${c.regressions.length} regression(s)` : 'No regression';
  const md = [`# Comparison: ${verdict}`, '', intro, '', ...notes.map((n) => `- note: ${n}`), notes.length ? '' : '',
    `${c.regressions.length} regression(s), ${c.improvements.length} improvement(s), ${c.unchanged} within the noise.`, '',
    ...(c.regressions.length ? ['## Regressions', '', ...reg.md] : []), ...(c.improvements.length ? ['## Improvements', '', ...imp.md] : []),
    ...(c.skipped.length ? ['## Not compared', '', ...c.skipped.map((s) => `- ${s}`), ''] : [])].join('\n');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(`Comparison: ${verdict}`)}</title><style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem}table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f3f3f3}
${CHART_CSS}</style></head><body><h1>${esc(`Comparison: ${verdict}`)}</h1><p>${esc(intro)}</p>${notes.map((n) => `<p>note: ${esc(n)}</p>`).join('')}
<p>${c.regressions.length} regression(s), ${c.improvements.length} improvement(s), ${c.unchanged} within the noise.</p>${chart}
${c.regressions.length ? `<h2>Regressions</h2>${reg.html}` : ''}${c.improvements.length ? `<h2>Improvements</h2>${imp.html}` : ''}
${c.skipped.length ? `<h2>Not compared</h2><ul>${c.skipped.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''}</body></html>\n`;
  return { md: `${md}\n`, html };
}

export function compareCommand(argv: readonly string[], cwd: string = process.cwd()): CommandOutput {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, 'force-compare': { type: 'boolean' }, 'regression-pct': { type: 'string' }, out: { type: 'string' } } });
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `compare: ${(error as Error).message}\n${COMPARE_USAGE}\n` };
  }
  if (parsed.values.help) return { exitCode: 0, stdout: `${COMPARE_USAGE}\n`, stderr: '' };
  if (parsed.positionals.length !== 2) return { exitCode: 2, stdout: '', stderr: `compare: give two runs, A and B (got ${parsed.positionals.length})\n${COMPARE_USAGE}\n` };
  const pctText = parsed.values['regression-pct'];
  if (pctText !== undefined && !(Number(pctText) > 0)) return { exitCode: 2, stdout: '', stderr: `compare: --regression-pct: "${pctText}" is not a percentage above 0\n` };
  const [refA, refB] = parsed.positionals as [string, string];
  let a: Baseline;
  let b: Baseline;
  try {
    a = load(refA, cwd);
    b = load(refB, cwd);
  } catch (error) {
    if (error instanceof BaselineError) return { exitCode: 2, stdout: '', stderr: `compare: ${error.message}\n` };
    throw error;
  }
  const { refusals, notes } = comparability(a.identity, b.identity);
  const force = parsed.values['force-compare'] === true;
  if (refusals.length && !force) return { exitCode: 2, stdout: '', stderr: `compare: not comparable: ${refusals.join('; ')} (add --force-compare to compare anyway)\n` };
  const c = compareFigures(a.figures, b.figures, { ...REGRESSION_POLICY, ...(pctText !== undefined ? { maxChangePct: Number(pctText) } : {}) });
  const allNotes = [...refusals.map((r) => `forced (--force-compare): ${r}`), ...notes];
  const { md, html } = renderComparison(a, b, c, allNotes);
  const bDir = resolve(cwd, refB);
  const out = resolve(cwd, parsed.values.out ?? (existsSync(bDir) && statSync(bDir).isDirectory() ? bDir : '.'));
  writeFileSync(join(out, 'compare.md'), md);
  writeFileSync(join(out, 'compare.html'), html);
  const lines = [
    `compare: B ${b.runId} against A ${a.runId}: ${c.regressions.length} regression(s), ${c.improvements.length} improvement(s), ${c.unchanged} within the noise`,
    ...allNotes.map((n) => `  ! ${n}`),
    ...c.regressions.map((x) => `  - regressed: ${describeChange(x)}`),
    ...c.improvements.map((x) => `  + improved: ${describeChange(x)}`),
    `wrote ${join(out, 'compare.md')} and compare.html`,
  ];
  return { exitCode: c.regressions.length ? 1 : 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
}

const TREND_USAGE = `usage: zx scripts/trend.mjs [--scenario S] [--last N] [--results-dir DIR]

Continuous baselining (guidelines §8.2) over DIR/*/summary.json (default ./results): per SLA its
history, a rolling baseline (p50, p95, p99, stddev, trend per run) and the runs that regressed
against the comparable run before them (decided as --baseline decides). Exit 1 when the latest run
regressed.`;

export function readSummaries(dir: string): RunSummary[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name, 'summary.json');
    if (!existsSync(file)) return [];
    try {
      return [JSON.parse(readFileSync(file, 'utf8')) as RunSummary];
    } catch {
      return [];
    }
  });
}

const num = (v: number | null, unit: string) => (v === null ? '—' : unit === 'ratio' ? `${(v * 100).toFixed(2)}%` : `${v.toFixed(1)} ${unit}`);

export function trendLines(t: TrendReport): string[] {
  return [
    `trend over ${t.runs} run(s)${t.scenario ? ` of ${t.scenario}` : ''}:`,
    ...t.slas.map((s) => `  ${s.id}: ${s.history.map((h) => num(h.value, s.unit)).join(' ')} | baseline p50 ${num(s.baseline.p50, s.unit)}, p95 ${num(s.baseline.p95, s.unit)}, ` +
      `p99 ${num(s.baseline.p99, s.unit)}, stddev ${num(s.baseline.stddev, s.unit)}, trend ${s.baseline.trendPerRun === null ? '—' : `${s.baseline.trendPerRun >= 0 ? '+' : ''}${num(s.baseline.trendPerRun, s.unit)}`}/run`),
    ...(t.regressed.length === 0 ? ['no run regressed against the run before it'] : t.regressed.flatMap((r) => [`run ${r.runId} regressed against ${r.against}:`, ...r.regressions.map((c) => `  - ${describeChange(c)}`)])),
  ];
}

export function trendCommand(argv: readonly string[], cwd: string = process.cwd()): CommandOutput {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' }, scenario: { type: 'string' }, last: { type: 'string' }, 'results-dir': { type: 'string' } } });
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `trend: ${(error as Error).message}\n${TREND_USAGE}\n` };
  }
  if (parsed.values.help) return { exitCode: 0, stdout: `${TREND_USAGE}\n`, stderr: '' };
  const last = parsed.values.last;
  if (last !== undefined && !(/^\d+$/.test(last) && Number(last) >= 1)) return { exitCode: 2, stdout: '', stderr: `trend: --last: "${last}" is not a whole number >= 1\n` };
  const dir = resolve(cwd, parsed.values['results-dir'] ?? 'results');
  const summaries = readSummaries(dir);
  if (summaries.length === 0) return { exitCode: 2, stdout: '', stderr: `trend: no run in ${dir} (no */summary.json)\n` };
  const t = trendOf(summaries, { ...(parsed.values.scenario ? { scenario: parsed.values.scenario } : {}), ...(last ? { last: Number(last) } : {}) });
  if (t.runs === 0) return { exitCode: 2, stdout: '', stderr: `trend: no complete run${parsed.values.scenario ? ` of ${parsed.values.scenario}` : ''} in ${dir}\n` };
  const latest = [...summaries].sort((x, y) => x.startedAt.localeCompare(y.startedAt)).filter((s) => !s.partial && (!parsed.values.scenario || s.scenario === parsed.values.scenario)).pop();
  const latestRegressed = t.regressed.some((r) => r.runId === latest?.runId);
  return { exitCode: latestRegressed ? 1 : 0, stdout: `${trendLines(t).join('\n')}\n`, stderr: '' };
}
