// The analysis against a real Prometheus fed by two real k6 runners (one testid, two instance
// ids, the execution segments of N=2) loading a local HTTP server whose latency is known: fast
// in the first half of the run, slow in the second. Prometheus also scrapes the server's own
// resident memory as job="target", as the lab scrapes the target service.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { freePort, LOOPBACK } from '../local/ports.ts';
import { ensureK6 } from '../k6/binary.ts';
import { runK6Runners } from '../local/k6Runners.ts';
import { LAB_JOBS, startPrometheus } from '../local/prometheus.ts';
import { SOAK_RULES } from '../sla/catalogue.ts';
import { PrometheusClient, PrometheusError } from './prometheusClient.ts';
import { measureSlas, readRunnerSummary, type K6SummaryExport } from './slaMeasurements.ts';
import { measureSoakChecks } from './soakMeasurements.ts';
import { measureBreakdown } from './breakdown.ts';
import { judgeThresholds, type ThresholdResult } from './thresholds.ts';
import { parseThresholds, type K6MetricInfo } from '../k6/thresholdSyntax.ts';

const TESTID = `analysis-${process.pid}`;
const RUN_S = 14;
const FAST_MS = 2;
const SLOW_MS = 60;
let stateDir: string;
let supervisor: Supervisor;
let server: Server;
let client: PrometheusClient;
let runStart = 0;
let runEnd = 0;
let slowFrom = 0;
const summaries: K6SummaryExport[] = [];

function startServer(port: number): Promise<Server> {
  const srv = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${process.memoryUsage().rss}\n`);
      return;
    }
    const delay = Date.now() >= slowFrom ? SLOW_MS : FAST_MS;
    setTimeout(() => res.writeHead(req.url === '/fail' ? 503 : 200).end('{}'), delay);
  });
  return new Promise((resolve) => srv.listen(port, LOOPBACK, () => resolve(srv)));
}

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-analysis-'));
  supervisor = new Supervisor(stateDir);
  const appPort = await freePort();
  server = await startServer(appPort);
  const prometheus = await startPrometheus({
    stateDir, supervisor, scrapeInterval: '1s',
    scrapeTargets: [{ job: LAB_JOBS.target, address: `${LOOPBACK}:${appPort}` }],
  });
  await prometheus.waitReady(15_000);
  const promUrl = prometheus.url;
  client = new PrometheusClient(promUrl);
  const script = join(stateDir, 'script.js');
  writeFileSync(script, `
    import http from 'k6/http';
    import { check, sleep } from 'k6';
    import { Rate } from 'k6/metrics';
    const errors = new Rate('errors');
    export const options = { vus: 4, duration: '${RUN_S}s' };
    export default function () {
      const api = http.get('http://${LOOPBACK}:${appPort}/api', { tags: { endpoint: 'api' } });
      check(api, { 'api 200': (r) => r.status === 200 });
      const path = __ITER % 25 === 7 ? 'fail' : 'dash';
      const dash = http.get('http://${LOOPBACK}:${appPort}/' + path, { tags: { endpoint: 'dashboard' } });
      errors.add(dash.status !== 200);
      sleep(0.05);
    }`);
  const k6 = ensureK6();
  runStart = Date.now();
  slowFrom = runStart + (RUN_S / 2) * 1000;
  const runners = await runK6Runners({
    k6Binary: k6, bundlePath: script, parallelism: 2, testid: TESTID,
    prometheusRwUrl: prometheus.remoteWriteUrl, resultsDir: stateDir, supervisor,
  });
  assert.deepEqual(runners.map((r) => r.exitCode), [0, 0]);
  for (const runner of runners) {
    const parsed = readRunnerSummary(runner.summaryPath!);
    if (parsed) summaries.push(parsed);
  }
  await new Promise((r) => setTimeout(r, 1200)); // the last remote-write push and scrape
  runEnd = Date.now();
});

after(async () => {
  await supervisor.stopAll();
  server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const selector = () => `testid="${TESTID}"`;

test('every SLA is judged; the ones this script never exercised are not measured', async () => {
  const results = await measureSlas(client, { selector: selector(), runStartMs: runStart, runEndMs: runEnd, runnerSummaries: summaries });
  const byId = Object.fromEntries(results.map((r) => [r.id, r]));
  const totalRequests = summaries.reduce((n, s) => n + s.metrics.http_reqs!.count!, 0);
  assert.equal(summaries.length, 2);
  // all requests of both runners are in the aggregated histogram
  assert.equal(byId.all_endpoints_p95!.samples, totalRequests);
  assert.equal(byId.api_p95!.samples, totalRequests / 2);
  // half the run is slow: p95 sits on the slow requests, and the 200 ms API SLA still passes
  assert.ok(byId.api_p95!.value! >= SLOW_MS * 0.9 && byId.api_p95!.value! <= SLOW_MS * 1.3, `api p95 ${byId.api_p95!.value}`);
  assert.equal(byId.api_p95!.status, 'pass');
  // the error rates come from the runners' summary counts, exact across runners
  const failed = summaries.reduce((n, s) => n + s.metrics.http_req_failed!.passes!, 0);
  assert.ok(failed > 0);
  assert.equal(byId.http_error_rate!.value, failed / totalRequests);
  assert.equal(byId.http_error_rate!.status, 'fail'); // about 2% of requests fail, the SLA allows < 1%
  assert.equal(byId.checks_pass_rate!.value, 1);
  for (const id of ['upload_10mb_p95', 'realtime_update_p95', 'cache_hit_rate', 'login_p95']) {
    assert.equal(byId[id]!.status, 'not-measured', id);
    assert.equal(byId[id]!.value, null, id);
  }
  assert.equal(byId.target_memory_peak!.status === 'not-measured', false);
  assert.ok(byId.target_memory_peak!.value! > 10, 'the target memory is this test process, tens of MB');
});

test('without runner summaries the rates fall back to Prometheus', async () => {
  const results = await measureSlas(client, { selector: selector(), runStartMs: runStart, runEndMs: runEnd });
  const errorRate = results.find((r) => r.id === 'journey_error_rate')!;
  assert.notEqual(errorRate.status, 'not-measured');
  assert.ok(errorRate.value! > 0.02 && errorRate.value! < 0.08, `errors rate ${errorRate.value}`);
});

test('breakdown: totals and p95/p99 per endpoint group across both runners', async () => {
  const b = await measureBreakdown(client, selector(), runEnd);
  const totalRequests = summaries.reduce((n, s) => n + s.metrics.http_reqs!.count!, 0);
  assert.equal(b.totals.requests, totalRequests);
  assert.deepEqual(b.endpointGroups.map((g) => g.endpoint), ['api', 'dashboard']);
  assert.equal(b.endpointGroups[0]!.requests, totalRequests / 2);
  assert.ok(b.totals.p99Ms! >= b.totals.p95Ms!);
});

test('soak: the slowdown from the fast first window to the slow last window fails', async () => {
  const windowS = 5;
  const checks = await measureSoakChecks(client, {
    selector: selector(), runStartMs: runStart, runEndMs: runEnd,
    windows: { windowS, firstEndMs: runStart + windowS * 1000, lastEndMs: runEnd },
  });
  const degradation = checks.find((c) => c.id === 'p95_degradation')!;
  assert.equal(degradation.status, 'fail', degradation.detail);
  assert.ok(degradation.value! > SOAK_RULES.degradationFail * 5, degradation.detail);
  // the target's memory was read (a few seconds of it: too short for a trend, and said so)
  const memory = checks.find((c) => c.id === 'memory_trend')!;
  assert.match(memory.detail, /^too short to judge: ([3-9]|\d{2,}) memory samples over \d+ s/, memory.detail);
});

test('soak: a run too short for two windows is not measured, not passed', async () => {
  const checks = await measureSoakChecks(client, { selector: selector(), runStartMs: runStart, runEndMs: runEnd });
  assert.equal(checks.find((c) => c.id === 'p95_degradation')!.status, 'not-measured');
});

test('an unreachable Prometheus is a clear error naming its URL', async () => {
  const port = await freePort();
  await assert.rejects(new PrometheusClient(`http://${LOOPBACK}:${port}`, 2000).value('up'), (e: Error) =>
    e instanceof PrometheusError && e.message.includes(`${LOOPBACK}:${port}`) && /unreachable/.test(e.message));
});

test('the scenario\'s own thresholds across both runners: exact from the summaries here, from Prometheus alone as on the cluster', async () => {
  const metrics: Record<string, K6MetricInfo> = {
    http_req_failed: { type: 'rate', contains: 'default' }, http_req_duration: { type: 'trend', contains: 'time' },
    errors: { type: 'rate', contains: 'default' }, http_reqs: { type: 'counter', contains: 'default' }, vus_max: { type: 'gauge', contains: 'default' },
  };
  const thresholds = parseThresholds({
    http_req_failed: ['rate<0.01'], http_req_duration: ['max<1000', 'p(95)<1000'],
    errors: ['rate<0.5'], http_reqs: ['count>0'], vus_max: ['value>=4'],
  });
  const judge = (withSummaries: boolean) => judgeThresholds(client, thresholds, metrics, {
    selector: selector(), runStartMs: runStart, atMs: runEnd, summaries: withSummaries ? summaries : [],
  });
  const key = (r: ThresholdResult) => `${r.metric} ${r.expression}`;
  const local = Object.fromEntries((await judge(true)).map((r) => [key(r), r]));
  const cluster = Object.fromEntries((await judge(false)).map((r) => [key(r), r]));
  const totalRequests = summaries.reduce((n, s) => n + s.metrics.http_reqs!.count!, 0);
  const failed = summaries.reduce((n, s) => n + s.metrics.http_req_failed!.passes!, 0);
  // exact on both: the error ratio (counts on the cluster from k6_http_reqs_total), the request count
  for (const r of [local, cluster]) {
    assert.equal(r['http_req_failed rate<0.01']!.value, failed / totalRequests);
    assert.equal(r['http_req_failed rate<0.01']!.status, 'fail');
    assert.equal(r['http_reqs count>0']!.value, totalRequests);
  }
  // max: the slowest request of either runner (summaries), or the summed histogram's top bucket edge
  const exactMax = Math.max(...summaries.map((s) => s.metrics.http_req_duration!.max!));
  assert.equal(local['http_req_duration max<1000']!.value, exactMax);
  assert.equal(local['http_req_duration max<1000']!.approximate, undefined);
  const edge = cluster['http_req_duration max<1000']!;
  assert.ok(edge.value! >= exactMax * 0.91 && edge.value! <= exactMax * 1.1, `bucket edge ${edge.value} vs exact ${exactMax}`);
  assert.match(edge.approximate ?? '', /within one bucket/);
  // a custom Rate: exact counts here; the mean of the runners' ratios on the cluster, said so
  const errorsExact = summaries.reduce((n, s) => n + s.metrics.errors!.passes!, 0) / summaries.reduce((n, s) => n + s.metrics.errors!.passes! + s.metrics.errors!.fails!, 0);
  assert.equal(local['errors rate<0.5']!.value, errorsExact);
  assert.ok(Math.abs(cluster['errors rate<0.5']!.value! - errorsExact) < 0.02, `${cluster['errors rate<0.5']!.value} vs ${errorsExact}`);
  assert.match(cluster['errors rate<0.5']!.approximate ?? '', /mean of 2 series' ratios/);
  // vus_max is one value per runner: summed
  assert.equal(local['vus_max value>=4']!.value, 4);
  assert.equal(cluster['vus_max value>=4']!.value, 4);
});
