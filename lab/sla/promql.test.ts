// The SLA queries against what k6 really remote-writes into a real Prometheus: two k6 runners
// (one testid, two instance_ids) load a local HTTP server whose latency and errors are known, and
// the queries must aggregate both runners the way the verdict needs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { freePort, LOOPBACK } from '../local/ports.ts';
import { ensureK6 } from '../k6/binary.ts';
import { runK6Runners } from '../local/k6Runners.ts';
import { startPrometheus } from '../local/prometheus.ts';
import { slaById, type K6Measure } from './catalogue.ts';
import { slaQuery, sampleCount, httpErrorRatio } from './promql.ts';

const TESTID = `promql-${process.pid}`;
const SLOW_MS = 120;
const STREAM_MS = 400;
let stateDir: string;
let supervisor: Supervisor;
let server: Server;
let promUrl: string;
let runEnd: number;
const summaries: Array<{ metrics: Record<string, Record<string, number>> }> = [];

// Every 10th request is slow (SLOW_MS), every 20th answers 500: p95 lands on the slow ones.
// /stream stands for an SSE session: long (STREAM_MS), tagged realtime_connect, never counted.
function startServer(port: number): Promise<Server> {
  let n = 0;
  const srv = createServer((req, res) => {
    if (req.url === '/stream') return void setTimeout(() => res.writeHead(200).end('data: x\n\n'), STREAM_MS);
    n += 1;
    const slow = n % 10 === 0;
    const fail = n % 20 === 5;
    setTimeout(() => res.writeHead(fail ? 500 : 200).end('ok'), slow ? SLOW_MS : 0);
  });
  return new Promise((resolve) => srv.listen(port, LOOPBACK, () => resolve(srv)));
}

async function query(expr: string, time: number): Promise<number | undefined> {
  const url = `${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}&time=${time / 1000}`;
  const body = (await (await fetch(url)).json()) as { data: { result: Array<{ value: [number, string] }> } };
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-promql-'));
  supervisor = new Supervisor(stateDir);
  const appPort = await freePort();
  server = await startServer(appPort);
  const prometheus = await startPrometheus({ stateDir, supervisor });
  await prometheus.waitReady(10_000);
  promUrl = prometheus.url;
  const script = join(stateDir, 'script.js');
  writeFileSync(script, `
    import http from 'k6/http';
    import { check } from 'k6';
    import { Trend } from 'k6/metrics';
    const selection = new Trend('career_selection_duration', true);
    export const options = { vus: 2, iterations: 400 }; // 200 per runner (segments)
    export default function () {
      const res = http.get('http://${LOOPBACK}:${appPort}/', { tags: { endpoint: 'api' } });
      if (__ITER % 10 === 0) http.get('http://${LOOPBACK}:${appPort}/stream', { tags: { endpoint: 'realtime_connect' } });
      selection.add(res.timings.duration);
      check(res, { 'status is 200': (r) => r.status === 200 });
    }`);
  const runners = await runK6Runners({
    k6Binary: ensureK6(), bundlePath: script, parallelism: 2, testid: TESTID,
    prometheusRwUrl: prometheus.remoteWriteUrl, resultsDir: stateDir, supervisor,
  });
  for (const runner of runners) summaries.push(JSON.parse(readFileSync(runner.summaryPath!, 'utf8')));
  runEnd = Date.now() + 1000;
  await new Promise((r) => setTimeout(r, 1500)); // the last remote-write push
});

after(async () => {
  await supervisor.stopAll();
  server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const selector = `testid="${TESTID}"`;

test('a time trend counts every sample of both runners', async () => {
  const measure = slaById('career_selection_p95').measure;
  assert.equal(measure.kind, 'k6');
  const count = await query(sampleCount(measure as K6Measure, { selector }), runEnd);
  // each iteration adds one sample to the trend
  const expected = summaries.reduce((sum, s) => sum + s.metrics.iterations!.count!, 0);
  assert.equal(expected, 400);
  assert.equal(count, expected);
});

test('p95 across runners lands on the slow tenth of the requests', async () => {
  const p95 = await query(slaQuery(slaById('api_p95'), { selector }), runEnd);
  assert.ok(p95 !== undefined, 'no p95');
  // native histogram buckets (schema 3) are about 9% wide
  assert.ok(p95 >= SLOW_MS * 0.95 && p95 <= SLOW_MS * 1.3, `p95 ${p95} ms not near ${SLOW_MS} ms`);
  const p95Fast = await query(slaQuery(slaById('career_selection_p95'), { selector }), runEnd);
  assert.ok(p95Fast !== undefined && Math.abs(p95Fast - p95) / p95 < 0.15, 'custom trend differs from http_req_duration');
});

test('SLAs over every request leave out streaming sessions', async () => {
  const all = await query(slaQuery(slaById('all_endpoints_p95'), { selector }), runEnd);
  assert.ok(all !== undefined && all < STREAM_MS * 0.9, `every-request p95 ${all} ms counts the ${STREAM_MS} ms streams`);
});

test('the http error ratio is exact across runners', async () => {
  const ratio = await query(httpErrorRatio({ selector }), runEnd);
  const failed = summaries.reduce((sum, s) => sum + s.metrics.http_req_failed!.passes!, 0);
  assert.ok(failed > 0, 'the server made no errors');
  assert.equal(ratio, failed / 400);
});

test('a rolling window sees the same distribution', async () => {
  const p95 = await query(slaQuery(slaById('api_p95'), { selector, mode: 'window', window: '5m' }), runEnd);
  assert.ok(p95 !== undefined && p95 >= SLOW_MS * 0.95 && p95 <= SLOW_MS * 1.3, `window p95 ${p95}`);
});

test('an SLA with no samples in the run has no value (not measured)', async () => {
  assert.equal(await query(slaQuery(slaById('upload_10mb_p95'), { selector }), runEnd), undefined);
});
