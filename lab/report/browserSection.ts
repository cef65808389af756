// The report's browser section: what the run's browser VUs measured — the catalogue's browser SLAs
// (Web Vitals, TTI, time to career selection, UI interaction, personalization, page load, the
// budget) and each page's weight by type against the budget — as tables (report.md) and as tables
// with two bar charts (report.html). Rendered only from the summary.

import { SLA_CATALOGUE, type Sla } from '../sla/catalogue.ts';
import { PAGE_BYTE_TYPES, type BrowserPage, type PageByteType } from '../analysis/browserPages.ts';
import type { SlaResult } from '../analysis/slaJudgement.ts';
import { barChart } from './charts.ts';
import { formatQuantity } from './markdown.ts';
import { xmlEscape as esc } from './junit.ts';
import type { RunSummary } from './summary.ts';

const BROWSER_SLAS: ReadonlySet<string> = new Set(SLA_CATALOGUE.filter((s: Sla) => s.browser).map((s) => s.id));
const BUDGET_OF: Record<PageByteType, string> = {
  javascript: 'budget_javascript', css: 'budget_css', images: 'budget_images', fonts: 'budget_fonts', total: 'budget_total',
};
const MARK: Record<string, string> = { pass: 'PASS', fail: 'FAIL', 'not-measured': 'not measured' };
const KiB = 1024;

export function browserSlas(s: Pick<RunSummary, 'slas'>): SlaResult[] {
  return s.slas.filter((x) => BROWSER_SLAS.has(x.id));
}

function budgetKiB(type: PageByteType): number | null {
  const sla = SLA_CATALOGUE.find((x) => x.id === BUDGET_OF[type]);
  return sla ? sla.threshold / KiB : null;
}

const kib = (bytes: number | null) => (bytes === null ? '—' : `${(bytes / KiB).toFixed(1)}`);

function pagesOf(s: Pick<RunSummary, 'browserPages'>): BrowserPage[] {
  return s.browserPages ?? [];
}

export function browserMarkdown(s: Pick<RunSummary, 'slas' | 'browserPages'>): string[] {
  const slas = browserSlas(s);
  const pages = pagesOf(s);
  if (pages.length === 0 && slas.every((x) => x.status === 'not-measured')) {
    return ['## In the browser', '', 'No browser VU ran: the browser SLAs (Web Vitals, TTI, time to career selection, the budget) are not measured.', ''];
  }
  const lines = ['## In the browser', '', '| SLA | measured | target | result | samples |', '| --- | ---: | --- | --- | ---: |'];
  for (const x of slas) {
    lines.push(`| ${x.title} (\`${x.id}\`) | ${formatQuantity(x.value, x.unit)} | ${x.op} ${formatQuantity(x.threshold, x.unit)} | ${MARK[x.status]} | ${x.samples ?? '—'} |`);
  }
  lines.push('');
  if (pages.length > 0) {
    lines.push('Page weight (KiB, the mean of each page\'s loads, from Resource Timing) against the budget:', '');
    lines.push(`| page | loads | load p95 | ${PAGE_BYTE_TYPES.join(' | ')} |`, `| --- | ---: | ---: | ${PAGE_BYTE_TYPES.map(() => '---:').join(' | ')} |`);
    for (const p of pages) {
      lines.push(`| ${p.page} | ${p.loads} | ${formatQuantity(p.loadP95Ms, 'ms')} | ${PAGE_BYTE_TYPES.map((t) => kib(p.bytes[t])).join(' | ')} |`);
    }
    lines.push(`| budget | | | ${PAGE_BYTE_TYPES.map((t) => String(budgetKiB(t) ?? '—')).join(' | ')} |`, '');
  }
  return lines;
}

export function browserHtml(s: Pick<RunSummary, 'slas' | 'browserPages'>): string {
  const slas = browserSlas(s);
  const pages = pagesOf(s);
  if (pages.length === 0 && slas.every((x) => x.status === 'not-measured')) {
    return '<h2>In the browser</h2><p>No browser VU ran: the browser SLAs (Web Vitals, TTI, time to career selection, the budget) are not measured.</p>';
  }
  const cls = (status: string) => ({ pass: 'pass', fail: 'fail', 'not-measured': 'na' })[status] ?? '';
  const rows = slas.map((x) => `<tr><td>${esc(x.title)}</td><td>${esc(x.id)}</td><td>${esc(formatQuantity(x.value, x.unit))}</td>` +
    `<td>${esc(`${x.op} ${formatQuantity(x.threshold, x.unit)}`)}</td><td class="${cls(x.status)}">${esc(MARK[x.status] ?? x.status)}</td><td>${x.samples ?? '—'}</td></tr>`);
  const measured = slas.filter((x) => x.value !== null && x.threshold > 0 && x.unit !== 'bytes');
  const vitals = barChart({
    id: 'browser-slas', title: 'Browser SLAs: measured, as a share of the target', unit: '% of the target',
    bars: measured.map((x) => ({ label: x.id.replace(/_p\d+$/, ''), value: (x.value! / x.threshold) * 100, limit: 100 })),
    legend: ['measured / target'],
  });
  const weights = barChart({
    id: 'page-weight', title: 'Page weight by type (KiB) and the budget', unit: 'KiB',
    bars: pages.flatMap((p) => PAGE_BYTE_TYPES.map((t) => ({
      label: `${p.page} ${t}`, value: p.bytes[t] === null ? null : p.bytes[t]! / KiB, limit: budgetKiB(t),
    }))),
    legend: ['KiB per page (mean of its loads)'],
  });
  const pageRows = pages.map((p) => `<tr><td>${esc(p.page)}</td><td>${p.loads}</td><td>${esc(formatQuantity(p.loadP95Ms, 'ms'))}</td>` +
    `${PAGE_BYTE_TYPES.map((t) => `<td>${kib(p.bytes[t])}</td>`).join('')}</tr>`);
  return [
    '<h2>In the browser</h2>',
    `<table><thead><tr><th>SLA</th><th>id</th><th>measured</th><th>target</th><th>result</th><th>samples</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    vitals,
    pages.length > 0
      ? `<table><thead><tr><th>page</th><th>loads</th><th>load p95</th>${PAGE_BYTE_TYPES.map((t) => `<th>${t} (KiB)</th>`).join('')}</tr></thead><tbody>${pageRows.join('')}` +
        `<tr><td>budget</td><td></td><td></td>${PAGE_BYTE_TYPES.map((t) => `<td>${budgetKiB(t) ?? '—'}</td>`).join('')}</tr></tbody></table>`
      : '',
    pages.length > 0 ? weights : '',
  ].filter(Boolean).join('\n');
}
