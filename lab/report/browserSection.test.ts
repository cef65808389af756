import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLA_CATALOGUE, type Sla } from '../sla/catalogue.ts';
import { judgeSla } from '../analysis/slaJudgement.ts';
import { browserHtml, browserMarkdown, browserSlas } from './browserSection.ts';
import { browserPageQueries } from '../analysis/browserPages.ts';

const measured = SLA_CATALOGUE.map((sla: Sla) => judgeSla(sla, sla.browser ? { value: sla.threshold * 0.5, samples: 6 } : {}));
const pages = [
  { page: 'dashboard', loads: 2, loadP95Ms: 294.7, bytes: { javascript: 142004, css: 41286, images: 449000, fonts: 21788, total: 662000 } },
  { page: 'login', loads: 2, loadP95Ms: 180.2, bytes: { javascript: 142004, css: 41286, images: 203000, fonts: 21788, total: 416000 } },
];

test('the browser section lists every browser SLA of the catalogue and each page\'s weight against the budget', () => {
  const ids = SLA_CATALOGUE.filter((s: Sla) => s.browser).map((s) => s.id);
  assert.deepEqual(browserSlas({ slas: measured }).map((s) => s.id), ids);
  const md = browserMarkdown({ slas: measured, browserPages: pages }).join('\n');
  for (const id of ids) assert.match(md, new RegExp(`\`${id}\``));
  assert.match(md, /\| dashboard \| 2 \| 294\.7 ms \| 138\.7 \| 40\.3 \| 438\.5 \| 21\.3 \| 646\.5 \|/);
  assert.match(md, /\| budget \| \| \| 200 \| 50 \| 500 \| 100 \| 1024 \|/);
  const html = browserHtml({ slas: measured, browserPages: pages });
  assert.match(html, /<h2>In the browser<\/h2>/);
  const points = [...html.matchAll(/data-points="(\d+)"/g)].map((m) => Number(m[1]));
  assert.equal(points.length, 2, 'two charts: the SLAs and the page weights');
  assert.ok(points.every((n) => n > 0), `every chart drew data: ${points.join(', ')}`);
});

test('a run without browser VUs says so in one line', () => {
  const none = SLA_CATALOGUE.map((sla) => judgeSla(sla, {}));
  assert.match(browserMarkdown({ slas: none }).join('\n'), /No browser VU ran/);
  assert.match(browserHtml({ slas: none }), /No browser VU ran/);
});

test('page figures are read per page from the summed histograms (bytes: sum / count, exact for a page whose assets do not change)', () => {
  const q = browserPageQueries('testid="x"');
  assert.equal(q.bytes.images, 'histogram_sum(sum by (page) (k6_page_bytes_images{testid="x"})) / histogram_count(sum by (page) (k6_page_bytes_images{testid="x"}))');
  assert.equal(q.loadP95, '1000 * histogram_quantile(0.95, sum by (page) (k6_page_load_duration_seconds{testid="x"}))');
});
