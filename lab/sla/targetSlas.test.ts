// The target's own SLAs (CPU and memory at peak as shares of what it is given, availability from its
// health probe at every scrape) against a real Prometheus scraping a stand-in target whose figures
// the test sets: a CPU counter that grows 0.5 s per second for a while, a resident set, a health
// status that turns degraded, then unhealthy, and a spell in which the target does not answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { freePort, LOOPBACK } from '../local/ports.ts';
import { startPrometheus } from '../local/prometheus.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { measureSlas } from '../analysis/slaMeasurements.ts';
import { slaById } from './catalogue.ts';
import type { TargetResources } from './promql.ts';

const MiB = 2 ** 20;
const RESOURCES: TargetResources = { cpuCores: 1, memoryBytes: 256 * MiB, scrapeIntervalS: 1, source: 'test' };
let stateDir: string;
let supervisor: Supervisor;
let client: PrometheusClient;
let server: Server | undefined;
let port: number;

/** What the stand-in target answers; `down` closes its port. */
const state = { cpuSeconds: 0, cpuPerSecond: 0, rssBytes: 180 * MiB, health: 'healthy' as 'healthy' | 'degraded' | 'unhealthy' };
let lastTick = Date.now();

function metrics(): string {
  const now = Date.now();
  state.cpuSeconds += (state.cpuPerSecond * (now - lastTick)) / 1000;
  lastTick = now;
  return [
    `process_cpu_seconds_total ${state.cpuSeconds}`,
    `process_resident_memory_bytes ${state.rssBytes}`,
    ...(['healthy', 'degraded', 'unhealthy'] as const).map((s) => `target_health_status{status="${s}"} ${s === state.health ? 1 : 0}`),
  ].join('\n') + '\n';
}

function listen(): Promise<void> {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics()));
  return new Promise((resolve) => server!.listen(port, LOOPBACK, () => resolve()));
}
const close = () => new Promise<void>((resolve) => { server!.closeAllConnections(); server!.close(() => resolve()); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-target-slas-'));
  supervisor = new Supervisor(stateDir);
  port = await freePort();
  await listen();
  const prometheus = await startPrometheus({ stateDir, supervisor, scrapeTargets: [{ job: 'target', address: `${LOOPBACK}:${port}` }] });
  await prometheus.waitReady(15_000);
  client = new PrometheusClient(prometheus.url);
});

after(async () => {
  await supervisor.stopAll();
  if (server?.listening) await close();
  rmSync(stateDir, { recursive: true, force: true });
});

test('CPU and memory at peak are shares of what the target is given; availability counts the scrapes answered healthy or degraded', { timeout: 60_000 }, async () => {
  await sleep(2000); // some history before the run
  const runStartMs = Date.now();
  state.cpuPerSecond = 0.5; // half a core ...
  await sleep(16_000); // ... for longer than the 15 s the peak is averaged over
  state.cpuPerSecond = 0.05;
  state.rssBytes = 220 * MiB; // 86 % of 256 MiB, for a moment
  state.health = 'degraded'; // still available
  await sleep(3000);
  state.rssBytes = 150 * MiB;
  state.health = 'healthy';
  await close(); // not answering for ~3 s: down
  await sleep(3000);
  await listen();
  state.health = 'unhealthy'; // answering, but unhealthy: down
  await sleep(2000);
  state.health = 'healthy';
  await sleep(4000);
  const runEndMs = Date.now();
  await sleep(1500); // the last scrape

  const [cpu, memory, availability] = await measureSlas(client, {
    slas: [slaById('target_cpu_peak'), slaById('target_memory_limit_peak'), slaById('availability')],
    selector: 'testid="none"', targetSelector: 'job="target"', targetResources: RESOURCES, runStartMs, runEndMs,
  });
  assert.ok(Math.abs(cpu!.value! - 0.5) < 0.06, `cpu peak ${cpu!.value} of a core, set 0.5`);
  assert.equal(cpu!.status, 'pass');
  assert.ok(Math.abs(memory!.value! - 220 / 256) < 0.001, `memory peak ${memory!.value}`);
  assert.equal(memory!.status, 'fail', '86 % of the limit is over the 80 %');
  // about 5 of ~28 s down (3 s closed, 2 s unhealthy), at one scrape a second
  const runS = (runEndMs - runStartMs) / 1000;
  const expected = 1 - 5 / runS;
  assert.ok(Math.abs(availability!.value! - expected) < 2.5 / runS, `availability ${availability!.value}, expected about ${expected.toFixed(3)}`);
  assert.equal(availability!.status, 'fail');

  // not given what the target process has: the shares are not measured (a service that is not the lab's)
  const [cpuUnknown] = await measureSlas(client, {
    slas: [slaById('target_cpu_peak')], selector: 'testid="none"', targetSelector: 'job="target"', runStartMs, runEndMs,
  });
  assert.equal(cpuUnknown!.status, 'not-measured');
  // a target that does not export its health: availability not measured
  const [noHealth] = await measureSlas(client, {
    slas: [slaById('availability')], selector: 'testid="none"', targetSelector: 'job="nothing"', targetResources: RESOURCES, runStartMs, runEndMs,
  });
  assert.equal(noHealth!.status, 'not-measured');
});
