import { test } from 'node:test';
import type { ThresholdResult } from '../analysis/thresholds.ts';
import assert from 'node:assert/strict';
import { slaById } from '../sla/catalogue.ts';
import { judgeSla } from '../analysis/slaJudgement.ts';
import { degradationCheck } from '../analysis/soakChecks.ts';
import { runVerdict, type LabCheck } from '../analysis/verdict.ts';
import { buildSummary, type RunSummaryInput } from './summary.ts';
import { renderReportMarkdown } from './markdown.ts';
import { renderJunit } from './junit.ts';
import { renderReportHtml } from './html.ts';

const api = judgeSla(slaById('api_p95'), { value: 312.4, samples: 900 });
const errors = judgeSla(slaById('http_error_rate'), { value: 0.0004, samples: 1800 });
const upload = judgeSla(slaById('upload_10mb_p95'), {});
const labChecks: LabCheck[] = [
  { id: 'replication_streaming', title: 'Postgres replicas streaming', phase: 'start', ok: true, detail: '2 of 2 streaming' },
  { id: 'redis_cluster_ok', title: 'Redis cluster state', phase: 'end', ok: true, detail: 'cluster_state:ok' },
];

function summary(overrides: Partial<RunSummaryInput> = {}) {
  const base = {
    runId: 'soak-20261123-140000-abcd', target: 'local' as const, scenario: 'soak', profile: 'ci', vus: 20, duration: '60s',
    parallelism: 2, baseUrl: null, scenarioSlas: ['api_p95'], startedAt: '2026-11-23T14:00:00.000Z', endedAt: '2026-11-23T14:01:05.000Z', partial: false,
    runners: [{ instance: 2, exitCode: 0 }, { instance: 1, exitCode: 0 }],
    slas: [errors, api, upload], soakChecks: [degradationCheck(100, 104, 20)], labChecks,
    thresholds: [] as ThresholdResult[], abortedBy: null,
    cardinality: { warnSeries: 2000, maxSeries: 20_000, series: 180, label: null, stopped: false, urlTag: false, groupedNames: [] },
    totals: { requests: 1800, p95Ms: 300.2, p99Ms: 410, errorRate: 0.0004 },
    endpointGroups: [{ endpoint: 'api', requests: 900, p95Ms: 312.4, p99Ms: 420 }],
    prometheusUrl: 'http://127.0.0.1:9090', ...overrides,
  };
  const verdict = runVerdict({ slas: base.slas, soakChecks: base.soakChecks, labChecks: base.labChecks, runners: base.runners, interrupted: base.partial });
  return buildSummary({ ...base, verdict, ...overrides });
}

test('summary: runners sorted by instance, schema version set, verdict carried', () => {
  const s = summary();
  assert.deepEqual(s.runners.map((r) => r.instance), [1, 2]);
  assert.equal(s.schemaVersion, 1);
  assert.equal(s.verdict.kind, 'sla-failure');
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'summary survives JSON');
});

test('report.md: verdict and reason first, failed SLAs before passed, not measured said as such', () => {
  const md = renderReportMarkdown(summary());
  const lines = md.split('\n');
  assert.equal(lines[0], '# Run soak-20261123-140000-abcd');
  assert.match(lines[2]!, /^\*\*Verdict: FAIL\*\* \(sla-failure, exit code 1\)/);
  assert.match(md, /- api_p95 failed: 312\.4 ms \(target < 200\.0 ms\)/);
  const apiRow = lines.findIndex((l) => l.includes('`api_p95`'));
  const errRow = lines.findIndex((l) => l.includes('`http_error_rate`'));
  const uploadRow = lines.findIndex((l) => l.includes('`upload_10mb_p95`'));
  assert.ok(apiRow > 0 && apiRow < errRow && errRow < uploadRow);
  assert.match(lines[apiRow]!, /\| 312\.4 ms \| < 200\.0 ms \| FAIL \| Pathfinity/);
  assert.match(lines[errRow]!, /\| 0\.04% \| < 1\.00% \| PASS \|/);
  assert.match(lines[uploadRow]!, /\| — \| < 5000\.0 ms \| not measured \|/);
  assert.match(md, /\| Postgres replicas streaming \(`replication_streaming`\) \| start \| PASS \| 2 of 2 streaming \|/);
  assert.match(md, /\| api \| 900 \| 312\.4 ms \| 420\.0 ms \|/);
});

test('report.md of an interrupted run says PARTIAL in its title and explains', () => {
  const s = summary({ partial: true, runners: [{ instance: 1, exitCode: null }] });
  const md = renderReportMarkdown({ ...s, verdict: runVerdict({ slas: s.slas, soakChecks: [], labChecks, runners: s.runners, interrupted: true }) });
  assert.match(md.split('\n')[0]!, /PARTIAL \(interrupted\)/);
  assert.match(md, /exit code 130/);
  assert.match(md, /\| 1 \| none \(stopped\) \|/);
});

test('junit.xml: a failing SLA is a failure, a not-measured SLA is skipped, text escaped', () => {
  const xml = renderJunit(summary({ scenario: 'a<b>&"c"' }));
  assert.match(xml, /<testcase classname="perflab.sla" name="api_p95"><failure message="api_p95 failed: 312.4 ms \(target &lt; 200.0 ms\)"\/><\/testcase>/);
  assert.match(xml, /<testcase classname="perflab.sla" name="upload_10mb_p95"><skipped /);
  assert.match(xml, /<testcase classname="perflab.sla" name="http_error_rate"\/>/);
  assert.match(xml, /name="a&lt;b&gt;&amp;&quot;c&quot; on local"/);
  const tests = Number(/<testsuite [^>]*tests="(\d+)"/.exec(xml)![1]);
  assert.equal(tests, 3 + 1 + 2 + 2);
  assert.equal(Number(/<testsuite [^>]*failures="(\d+)"/.exec(xml)![1]), 1);
});

test('report.html: a self-contained page with the verdict, the failed SLA first, everything escaped', () => {
  const html = renderReportHtml(summary({ scenario: '<script>alert(1)</script>' }));
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /<p class="verdict fail">Verdict: FAIL \(sla-failure, exit code 1\)<\/p>/);
  const api = html.indexOf('<td>api_p95</td>');
  const errors = html.indexOf('<td>http_error_rate</td>');
  assert.ok(api > 0 && api < errors, 'the failed SLA comes first');
  assert.match(html, /<td>312\.4 ms<\/td><td>&lt; 200\.0 ms<\/td><td class="fail">FAIL<\/td>/);
  assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/, 'no external assets');
});
