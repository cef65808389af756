// The faults in the run's reports, rendered only from summary.json (its `faults` and
// `slasOutsideFaults`): report.md's Faults section, report.html's table, junit.xml's test cases.
// lab/report/markdown.ts, html.ts and junit.ts each make one call here.

import type { SlaResult } from '../analysis/slaJudgement.ts';
import { faultLabel } from './kinds.ts';
import type { FaultOutcome } from './outcome.ts';

interface WithFaults {
  faults?: FaultOutcome[] | undefined;
  slasOutsideFaults?: SlaResult[] | undefined;
  slas: SlaResult[];
}

const label = (o: FaultOutcome) => faultLabel({ kind: o.kind, at: o.at, ...(o.duration ? { duration: o.duration } : {}) });
const s1 = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
const ms1 = (v: number | null) => (v === null ? '—' : v.toFixed(1));
const rps = (v: number | null) => (v === null ? '—' : v.toFixed(0));
const quantity = (s: SlaResult, v: number | null) => (v === null ? '—' : s.unit === 'ratio' ? `${(v * 100).toFixed(2)}%` : `${v.toFixed(1)} ${s.unit}`);

/** RECOVERED, NOT RECOVERED, NOT INJECTED. */
export function faultResult(o: FaultOutcome): 'RECOVERED' | 'NOT RECOVERED' | 'NOT INJECTED' {
  return !o.injected ? 'NOT INJECTED' : o.recovered ? 'RECOVERED' : 'NOT RECOVERED';
}

/** One row per fault, as text cells: the same for report.md and report.html. */
export function faultRows(faults: readonly FaultOutcome[]): string[][] {
  return faults.map((o) => [
    label(o),
    o.target ?? '—',
    o.injectedAt ? `${o.injectedAt.slice(11, 19)} UTC` : (o.notInjected ?? '—'),
    o.impactAfterMs === null ? (o.injected ? 'none seen' : '—') : `${s1(o.impactAfterMs)}${o.impact ? ` (${o.impact})` : ''}`,
    o.recoveredAfterMs === null ? (o.injected ? `not within ${s1(o.maxRecoveryMs)}` : '—') : `${s1(o.recoveredAfterMs)} (limit ${s1(o.maxRecoveryMs)})`,
    o.errors === null ? '—' : `${o.errors}${o.errorWindow ? ` (+${s1(o.errorWindow.fromMs)} to +${s1(o.errorWindow.toMs)})` : ''}`,
    `${ms1(o.p95BeforeMs)} / ${ms1(o.p95DuringMs)} / ${ms1(o.p95AfterMs)} ms`,
    `${rps(o.throughputBefore)} / ${rps(o.throughputDuring)} / ${rps(o.throughputAfter)} req/s`,
    faultResult(o),
  ]);
}

export const FAULT_COLUMNS = ['fault', 'target', 'injected at', 'impact after', 'recovered after', 'errors', 'p95 before / during / after', 'throughput before / during / after', 'result'];

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** report.md's Faults section (no lines when the run had no faults). */
export function faultsMarkdown(s: WithFaults): string[] {
  if (!s.faults || s.faults.length === 0) return [];
  const lines = ['## Faults', ''];
  lines.push(`| ${FAULT_COLUMNS.join(' | ')} |`, `| ${FAULT_COLUMNS.map(() => '---').join(' | ')} |`);
  for (const row of faultRows(s.faults)) lines.push(`| ${row.map(cell).join(' | ')} |`);
  lines.push('');
  for (const o of s.faults) {
    const facts = [
      o.how && `injected: ${o.how}`,
      o.liftedAfterMs !== null && `lifted after ${s1(o.liftedAfterMs)}`,
      o.checksGreenAfterMs !== null && `lab checks green again after ${s1(o.checksGreenAfterMs)}`,
      o.slaWindow && `SLAs over the window after: ${o.slaWindow}`,
      o.failedChecks.length > 0 && `checks it broke, as expected: ${o.failedChecks.join(', ')}`,
      o.unexpectedChecks.length > 0 && `checks it broke, not expected of ${o.kind}: ${o.unexpectedChecks.join(', ')}`,
      o.healing && `the part hit: ${o.healing}`,
      ...o.notes,
    ].filter((f): f is string => typeof f === 'string' && f.length > 0);
    if (facts.length) lines.push(`- \`${label(o)}\`: ${facts.map(cell).join('; ')}`);
  }
  lines.push('', 'Recovery is timed from the injection until every lab check is green again, the part hit is back and the SLAs hold over a whole window; ' +
    'p95 and throughput are over all runners, before (the window before the injection), during (injection to recovery) and after (the window after it).', '');
  // the SLAs this run measured (the others were not measured at all: listed with the run's SLAs)
  const outside = (s.slasOutsideFaults ?? []).filter((o) => o.status !== 'not-measured' || s.slas.find((x) => x.id === o.id)?.status !== 'not-measured');
  if (outside.length > 0) {
    lines.push('### SLAs outside the fault windows', '');
    lines.push('| SLA | whole run | outside the fault windows | result outside |', '| --- | ---: | ---: | --- |');
    for (const o of outside) {
      const whole = s.slas.find((x) => x.id === o.id);
      lines.push(`| \`${o.id}\` | ${whole ? quantity(whole, whole.value) : '—'} | ${quantity(o, o.value)} | ${o.status === 'not-measured' ? 'judged over the whole run only' : o.status.toUpperCase()} |`);
    }
    lines.push('');
  }
  return lines;
}

/** report.html's Faults section: a plain table (no lines without faults). `esc` is the page's escaping. */
export function faultsHtml(s: WithFaults, esc: (text: string) => string): string {
  if (!s.faults || s.faults.length === 0) return '';
  const head = `<tr>${FAULT_COLUMNS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const rows = faultRows(s.faults).map((r) => `<tr>${r.map((c, i) => `<td${i === r.length - 1 ? ` class="${c === 'RECOVERED' ? 'pass' : 'fail'}"` : ''}>${esc(c)}</td>`).join('')}</tr>`).join('');
  const notes = s.faults.flatMap((o) => o.notes.map((n) => `<li>${esc(`${label(o)}: ${n}`)}</li>`)).join('');
  return `<h2>Faults</h2><table><thead>${head}</thead><tbody>${rows}</tbody></table>${notes ? `<ul>${notes}</ul>` : ''}`;
}

/** junit.xml: one case per fault (recovered: pass; not recovered or injection failed: failure; not injected: skipped). */
export function faultJunitCases(s: WithFaults): Array<{ classname: string; name: string; outcome: 'pass' | 'fail' | 'skip'; message: string }> {
  return (s.faults ?? []).map((o) => ({
    classname: 'perflab.fault',
    name: label(o),
    outcome: !o.injected ? (o.notInjected?.startsWith('the injection failed') ? 'fail' : 'skip') : o.recovered ? 'pass' : 'fail',
    message: !o.injected
      ? `not injected: ${o.notInjected}`
      : o.recovered
        ? `recovered after ${s1(o.recoveredAfterMs)} (limit ${s1(o.maxRecoveryMs)}), ${o.errors ?? '?'} errors`
        : `not recovered within ${s1(o.maxRecoveryMs)}: ${o.notes[0] ?? ''}`,
  }));
}
