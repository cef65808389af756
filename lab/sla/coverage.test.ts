import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import { SLA_CATALOGUE } from './catalogue.ts';
import { DOCUMENT_COVERAGE } from './coverage.ts';
import { documentLines, lineKey, normalizeLine, numbersIn, type DocumentName } from './documentLines.ts';
import { COVERAGE_DOC, README_BEGIN, README_END, renderCatalogueTable, renderCoverageDoc } from './coverageDoc.ts';

/** The user's documents, where DESIGN.md says they are (../shared/seeds), found by their titles. */
function seeds(): Partial<Record<DocumentName, string>> {
  const dir = join(PROJECT_ROOT, '..', 'shared', 'seeds');
  if (!existsSync(dir)) return {};
  const found: Partial<Record<DocumentName, string>> = {};
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (text.includes('# Performance Testing Guidelines')) found.guidelines = text;
    if (text.includes('Comprehensive Performance Validation Request')) found.request = text;
  }
  return found;
}
const documents = seeds();

test('every entry is judged by catalogue SLAs or says where else and why', () => {
  const ids = new Set<string>(SLA_CATALOGUE.map((s) => s.id));
  for (const e of DOCUMENT_COVERAGE) {
    assert.ok((e.slas?.length ?? 0) > 0 || e.elsewhere, `${lineKey(e)}: neither an SLA nor elsewhere`);
    for (const id of e.slas ?? []) assert.ok(ids.has(id), `${lineKey(e)}: SLA ${id} is not in the catalogue`);
    if (e.elsewhere) assert.ok(e.elsewhere.where.length > 0 && e.elsewhere.reason.length > 20, `${lineKey(e)}: elsewhere needs a place and a reason`);
    assert.equal(e.text, normalizeLine(e.text), `${lineKey(e)}: write the line as documentLines normalizes it`);
  }
  assert.equal(new Set(DOCUMENT_COVERAGE.map(lineKey)).size, DOCUMENT_COVERAGE.length, 'one entry per line');
});

for (const document of ['guidelines', 'request'] as const) {
  test(`no number of the ${document} in scope is unaccounted for, and no entry is stale`, { skip: !documents[document] && 'the documents are not at ../shared/seeds' }, () => {
    const lines = documentLines(document, documents[document]!);
    const entries = new Set(DOCUMENT_COVERAGE.filter((e) => e.document === document).map(lineKey));
    const missing = lines.filter((l) => l.numbers.length > 0 && !entries.has(lineKey(l)));
    assert.deepEqual(missing.map((l) => `${lineKey(l)}  (numbers: ${l.numbers.join(', ')})`), [], 'lines of the documents that set a number without an entry in lab/sla/coverage.ts');
    const known = new Set(lines.map(lineKey));
    const stale = DOCUMENT_COVERAGE.filter((e) => e.document === document && !known.has(lineKey(e)));
    assert.deepEqual(stale.map(lineKey), [], 'entries whose line is not in the documents');
    assert.ok(lines.filter((l) => l.numbers.length > 0).length >= 40, 'the scope holds the documents\' numbers');
  });
}

test('the number reader keeps numbers and leaves names alone', () => {
  assert.deepEqual(numbersIn('p95: 500, // 95th percentile of 1,000 requests in 2.5s'), ['500', '95', '1,000', '2.5']);
  assert.deepEqual(numbersIn('K6_METRIC h2 v1beta2'), []);
  const lines = documentLines('guidelines', [
    '### 1.1 Core', 'Error Rate: < 0.1%', '### 1.2 UX', 'const budget = {', '  css: 50 * 1024,  // 50KB', '};', '---',
    '### 8.1 Baseline', 'const b = {', '  careerSelection: {', '    p95: 500,', '  },', '};', '### 8.2 Next',
  ].join('\n'));
  assert.deepEqual(lines.map((l) => [l.section, l.context, l.text]), [
    ['§1.1', '', 'Error Rate: < 0.1%'], ['§1.2', '', 'const budget = {'], ['§1.2', 'budget', 'css: 50 * 1024, // 50KB'],
    ['§8.1', '', 'const b = {'], ['§8.1', 'b', 'careerSelection: {'], ['§8.1', 'careerSelection', 'p95: 500'],
  ]);
});

test(`${COVERAGE_DOC} and the README's catalogue table are generated from the catalogue and the coverage list`, () => {
  const hint = 'run: node --import tsx lab/sla/coverageDoc.ts --write';
  assert.equal(readFileSync(join(PROJECT_ROOT, COVERAGE_DOC), 'utf8'), renderCoverageDoc(), `${COVERAGE_DOC} is out of date; ${hint}`);
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf(README_BEGIN) + README_BEGIN.length, readme.indexOf(README_END)).trim();
  assert.equal(block, renderCatalogueTable(), `README.md's catalogue table is out of date; ${hint}`);
  for (const sla of SLA_CATALOGUE) assert.ok(block.includes(`\`${sla.id}\``), `${sla.id} is missing from README.md`);
});
