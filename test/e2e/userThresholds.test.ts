// A k6 user's own script, by path, with its own thresholds, on the local lab with two runners:
// every threshold is judged over all runners together, not per slice — a count that each slice
// passes fails over the run, a p95 that one slice fails passes over the run — and appears in
// summary.json, the reports and junit.xml; abortOnFail stops every runner; a threshold the lab
// cannot judge stops the run before anything starts. Real lab, real k6, real Prometheus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES } from '../../lab/exitCodes.ts';
import { newResultsDir, onlyRunDir, readSummary, runScript } from './scripts.ts';

const dir = mkdtempSync(join(tmpdir(), 'perflab-user-thresholds-'));

function userScript(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

const slices = userScript('slices.js', `
import http from 'k6/http';
import exec from 'k6/execution';
import { Trend, Rate } from 'k6/metrics';

const latency = new Trend('slice_latency', true);
const tenant = new Rate('tenant_seen');

export const options = {
  scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 50, maxDuration: '60s' } },
  thresholds: {
    // 50 iterations per slice passes; 100 over the whole run fails
    iterations: ['count<80'],
    // runner 2's slice is 8 % slow (its p95 fails on its own); over the run 4 % are (the p95 holds)
    slice_latency: ['p(95)<100', 'avg<100'],
    'tenant_seen{kind:probe}': ['rate>0.99'],
    'http_req_duration{expected_response:true}': ['p(99)<5000'],
  },
};

export default function () {
  const slow = exec.vu.tags.instance_id === '2' && exec.vu.iterationInScenario % 25 < 2;
  latency.add(slow ? 500 : 10);
  tenant.add(__ENV.TENANT === 'acme', { kind: 'probe' });
  http.get(\`\${__ENV.BASE_URL}/api/v1/health\`);
}
`);

test('thresholds are judged across all runners: each slice passes count<80, the run fails it; one slice fails p(95)<100, the run holds it', { timeout: 180_000 }, async () => {
  const results = newResultsDir();
  const run = await runScript('run.mjs', [slices, '--parallelism', '2', '-e', 'TENANT=acme', '--results-dir', results]);
  assert.equal(run.code, EXIT_CODES.slaFailure, run.stderr + run.stdout);
  assert.match(run.stdout, /threshold iterations: count<80 failed across all runners \(100\)/);
  assert.match(run.stdout, /^the scenario's thresholds across all runners: 4 held, 1 failed, 0 not measured$/m);
  const runDir = onlyRunDir(results);
  const s = readSummary(runDir);
  const byKey = Object.fromEntries(s.thresholds.map((t) => [`${t.metric} ${t.expression}`, t]));
  assert.deepEqual(Object.keys(byKey).sort(), [
    'http_req_duration{expected_response:true} p(99)<5000', 'iterations count<80', 'slice_latency avg<100',
    'slice_latency p(95)<100', 'tenant_seen{kind:probe} rate>0.99',
  ]);
  assert.deepEqual([byKey['iterations count<80']!.status, byKey['iterations count<80']!.value, byKey['iterations count<80']!.samples], ['fail', 100, 100]);
  const p95 = byKey['slice_latency p(95)<100']!;
  assert.equal(p95.status, 'pass', JSON.stringify(p95));
  assert.ok(p95.value! < 15 && p95.value! >= 9, `p95 across runners ${p95.value} ms (96 samples at 10 ms, 4 at 500 ms)`);
  assert.equal(p95.samples, 100);
  assert.match(p95.approximate ?? '', /within one bucket/);
  // avg is exact from the summed histograms: (96 x 10 + 4 x 500) / 100
  assert.ok(Math.abs(byKey['slice_latency avg<100']!.value! - 29.6) < 0.01, String(byKey['slice_latency avg<100']!.value));
  assert.equal(byKey['slice_latency avg<100']!.approximate, undefined, 'avg is exact');
  // -e reached both runners; the rate is exact from their summaries
  assert.deepEqual([byKey['tenant_seen{kind:probe} rate>0.99']!.value, byKey['tenant_seen{kind:probe} rate>0.99']!.samples], [1, 100]);
  assert.equal(byKey['http_req_duration{expected_response:true} p(99)<5000']!.status, 'pass');
  // the runners did not judge their slices (runner 2's slice fails p(95) on its own)
  assert.deepEqual(s.runners.map((r) => r.exitCode), [0, 0]);
  assert.equal(s.verdict.kind, 'sla-failure');
  // in every report
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /## Thresholds \(the scenario's own, across all runners\)/);
  assert.match(md, /\| `iterations` \| `count<80` \| 100 \| 100 \| FAIL \| exact \|/);
  assert.match(readFileSync(join(runDir, 'report.html'), 'utf8'), /<td>slice_latency<\/td><td>p\(95\)&lt;100<\/td>/);
  assert.match(readFileSync(join(runDir, 'junit.xml'), 'utf8'), /<testcase classname="perflab\.threshold" name="iterations: count&lt;80"><failure/);
  rmSync(results, { recursive: true, force: true });
});

test('abortOnFail across all runners: the first failure stops every runner; the partial run is judged and written', { timeout: 180_000 }, async () => {
  const script = userScript('abort.js', `
import { sleep } from 'k6';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
const latency = new Trend('step_latency', true);
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '60s' } },
  thresholds: { step_latency: [{ threshold: 'max<100', abortOnFail: true, delayAbortEval: '2s' }] },
};
export default function () {
  latency.add(exec.vu.tags.instance_id === '2' ? 400 : 10);
  sleep(0.2);
}
`);
  const results = newResultsDir();
  const started = Date.now();
  const run = await runScript('run.mjs', [script, '--parallelism', '2', '--results-dir', results]);
  assert.equal(run.code, EXIT_CODES.slaFailure, run.stderr + run.stdout);
  assert.ok(Date.now() - started < 55_000, `the 60 s run was stopped early (took ${Date.now() - started} ms)`);
  const s = readSummary(onlyRunDir(results));
  assert.equal(s.partial, true);
  assert.equal(s.abortedBy?.metric, 'step_latency');
  assert.equal(s.abortedBy?.expression, 'max<100');
  assert.ok(s.abortedBy!.afterMs >= 2000, 'not before delayAbortEval');
  assert.match(run.stdout, /aborted after \d+ s by threshold step_latency: max<100 \(abortOnFail\), failed across all runners/);
  assert.equal(s.thresholds[0]!.status, 'fail');
  assert.equal(s.thresholds[0]!.value, 400, 'max is exact from the runners\' summaries');
  rmSync(results, { recursive: true, force: true });
});

test('a threshold the lab cannot judge stops the run before anything starts (exit 2), naming the metric and the expression', { timeout: 60_000 }, async () => {
  const badSyntax = userScript('bad-syntax.js', `export const options = { thresholds: { http_req_duration: ['p95<300'] } };\nexport default function () {}\n`);
  const wrongType = userScript('wrong-type.js', `import { Rate } from 'k6/metrics';\nconst r = new Rate('my_rate');\n` +
    `export const options = { thresholds: { my_rate: ['p(95)<1'] } };\nexport default function () { r.add(true); }\n`);
  const results = newResultsDir();
  for (const [script, message] of [
    [badSyntax, /threshold "p95<300" on http_req_duration is not "<aggregation> <op> <number>"/],
    [wrongType, /invalid threshold "p\(95\)<1" applied on metric my_rate.*supported aggregation methods for this metric are: rate/],
  ] as const) {
    const run = await runScript('run.mjs', [script, '--parallelism', '1', '--results-dir', results]);
    assert.equal(run.code, EXIT_CODES.usage, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  }
  assert.throws(() => onlyRunDir(results), /found none/, 'nothing started, nothing written');
  rmSync(results, { recursive: true, force: true });
});
