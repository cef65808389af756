// report.html in a real browser: Debian's chromium (npm run setup installs it), headless, driven by
// playwright-core, which downloads no browser of its own. The page is rendered from a recorded
// summary (fixtures/summary-decisions.json: a local soak slowed by 50 ms compared with its baseline,
// a capacity assessment and plan, a fault window as issue 12 records it) and opened from a file, with
// the network cut: it must load with no console error and no request, every chart must have drawn
// data, and a screenshot is taken (left in the temp folder the test prints).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { RunSummary } from './summary.ts';
import { renderReportHtml } from './html.ts';
import { renderReportMarkdown } from './markdown.ts';
import { renderJunit } from './junit.ts';
import { REPORT_BROWSER } from '../setup/debianPackages.ts';

const summary = JSON.parse(readFileSync(new URL('./fixtures/summary-decisions.json', import.meta.url), 'utf8')) as RunSummary;
const CHARTS = ['chart-throughput', 'chart-vus', 'chart-latency', 'chart-errors', 'chart-endpoints', 'chart-target-rss', 'chart-target-cpu', 'chart-capacity'];

test('report.html: self-contained, under 1 MB, every chart, the decisions sections; report.md and junit.xml the same facts', () => {
  const html = renderReportHtml(summary);
  assert.ok(Buffer.byteLength(html) < 1024 * 1024, `${Buffer.byteLength(html)} bytes`);
  assert.doesNotMatch(html, /<script|\b(src|href)="https?:/, 'nothing loaded from elsewhere');
  for (const id of CHARTS) assert.match(html, new RegExp(`<svg id="${id}" data-points="[1-9]`), id);
  assert.match(html, /<rect class="band"[^>]*><title>replica-kill<\/title>/, 'the fault window is shaded');
  assert.match(html, /baseline t1 p95/, 'the baseline is overlaid');
  for (const title of ['Regression analysis: comparison with the baseline', 'Scalability assessment and capacity plan', 'Recommendations']) {
    assert.ok(html.includes(`<h2>${title}</h2>`), title);
  }
  const md = renderReportMarkdown(summary);
  assert.match(md, /\| regressed: figure \| stat \| before \| after \| change \| runbook level \| windows p \| SLAs \|/);
  assert.match(md, /\| total \| p95 \| 12\.8 ms \| 75\.2 ms \| \+489\.5 % \| level 2 \|/);
  assert.match(md, /Cost per transaction: \$[0-9.e-]+ .*PASS against < \$0\.001/);
  const junit = renderJunit(summary);
  assert.equal((junit.match(/classname="perflab\.baseline"[^>]*><failure/g) ?? []).length, summary.baseline!.regressions.length);
});

test('report.html in headless chromium: no console error, no request, every chart has data; a screenshot', { timeout: 60_000 }, async () => {
  const executablePath = REPORT_BROWSER.chromium.path;
  assert.ok(existsSync(executablePath), `${executablePath} is missing: npm run setup installs Debian's chromium`);
  const dir = mkdtempSync(join(tmpdir(), 'perflab-report-'));
  const page = join(dir, 'report.html');
  writeFileSync(page, renderReportHtml(summary));
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    tab.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await tab.goto(`file://${page}`, { waitUntil: 'load' });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    const drawn = await tab.$$eval('figure.chart svg', (svgs) => svgs.map((s) => ({
      id: s.id, points: Number(s.getAttribute('data-points')), marks: s.querySelectorAll('polyline, circle, rect[width]').length, width: s.getBoundingClientRect().width,
    })));
    assert.deepEqual(drawn.map((d) => d.id).sort(), [...CHARTS].sort());
    for (const d of drawn) {
      assert.ok(d.points > 0 && d.marks > 0, `${d.id} drew nothing`);
      assert.ok(d.width > 300, `${d.id} is ${d.width} px wide`);
    }
    assert.equal(await tab.locator('figure.nodata').count(), 0);
    const shot = join(dir, 'report.png');
    await tab.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 20_000);
    console.log(`screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
});
