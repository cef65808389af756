// The cluster lab checks: the judgement on values (pure), then read for real from a real
// Prometheus scraping a stand-in exporter that serves the metric lines CloudNativePG's exporter,
// the redis_exporter sidecars and kube-prometheus-stack's `up` would give (the operators cannot run
// on this machine: no container images; the stand-in is the only fake here).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { startPrometheus } from '../local/prometheus.ts';
import { LOOPBACK } from '../local/ports.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { loadLabConfig } from '../config/index.ts';
import { clusterLabExpectations, judgeClusterLab, readClusterLabChecks, type ClusterLabValues } from './clusterLabChecks.ts';

const config = loadLabConfig();
const expected = clusterLabExpectations(config);
const healthy: ClusterLabValues = {
  pgStreaming: 2, pgLagSeconds: 0.4, pgInstances: 3, redisState: 1, redisSlotsOk: 16384, redisNodesUp: 6, targetDown: 0, targetUp: 2,
};

test('a healthy cluster lab passes every check, with the figures in the detail', () => {
  const checks = judgeClusterLab(healthy, expected, 'start', true);
  assert.deepEqual(checks.map((c) => [c.id, c.ok]), [['replication_streaming', true], ['redis_cluster_ok', true], ['target_healthy', true]]);
  assert.match(checks[0]!.detail, /^2 of 2 replicas streaming, 3 of 3 instances exporting, max replication lag 0\.4 s/);
  assert.match(checks[1]!.detail, /cluster_state ok on every node, 16384 of 16384 slots ok, 6 of 6 nodes up/);
});

test('each broken part fails its own check; no data is never a pass', () => {
  const with_ = (patch: Partial<ClusterLabValues>) => judgeClusterLab({ ...healthy, ...patch }, expected, 'end', true);
  assert.equal(with_({ pgStreaming: 1 })[0]!.ok, false);
  assert.equal(with_({ pgStreaming: undefined })[0]!.ok, false);
  assert.equal(with_({ redisState: 0 })[1]!.ok, false);
  assert.equal(with_({ redisSlotsOk: 10000 })[1]!.ok, false);
  assert.equal(with_({ redisNodesUp: 5 })[1]!.ok, false);
  assert.equal(with_({ targetDown: 1 })[2]!.ok, false);
  assert.equal(with_({ targetUp: undefined })[2]!.ok, false);
  assert.equal(judgeClusterLab(healthy, expected, 'end', false).length, 2, 'no target check with --base-url');
});

let dir: string;
let supervisor: Supervisor;
let exporter: Server;
let lines: string[] = [];
let client: PrometheusClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflab-cluster-checks-'));
  supervisor = new Supervisor(join(dir, 'state'));
  exporter = createServer((_req, res) => res.end(`${lines.join('\n')}\n`));
  await new Promise<void>((resolve) => exporter.listen(0, LOOPBACK, resolve));
  const address = `${LOOPBACK}:${(exporter.address() as AddressInfo).port}`;
  const prometheus = await startPrometheus({ stateDir: dir, supervisor, scrapeTargets: [{ job: 'stand-in-cluster', address }] });
  await prometheus.waitReady(30_000);
  client = new PrometheusClient(prometheus.url);
});

after(async () => {
  await supervisor.stopAll();
  exporter.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The exposition a healthy lab's exporters give, with the pods' namespace and names. */
function clusterMetrics(opts: { streaming: number; redisState: number }): string[] {
  const data = config.namespaces.data;
  const pg = config.postgres.clusterName;
  const redis = config.redis.clusterName;
  return [
    ...[1, 2, 3].map((n) => `cnpg_collector_up{namespace="${data}",pod="${pg}-${n}"} 1`),
    `cnpg_pg_replication_streaming_replicas{namespace="${data}",pod="${pg}-1"} ${opts.streaming}`,
    ...[2, 3].map((n) => `cnpg_pg_replication_lag{namespace="${data}",pod="${pg}-${n}"} 0.25`),
    ...['leader', 'follower'].flatMap((role) => [0, 1, 2].flatMap((n) => [
      `redis_up{namespace="${data}",pod="${redis}-${role}-${n}"} 1`,
      `redis_cluster_state{namespace="${data}",pod="${redis}-${role}-${n}"} ${opts.redisState}`,
      `redis_cluster_slots_ok{namespace="${data}",pod="${redis}-${role}-${n}"} 16384`,
    ])),
    // another lab's pods in the same Prometheus must not count
    `cnpg_pg_replication_streaming_replicas{namespace="elsewhere",pod="${pg}-1"} 9`,
  ];
}

async function readWhenScraped(want: (checks: Awaited<ReturnType<typeof readClusterLabChecks>>) => boolean) {
  for (let i = 0; i < 100; i++) {
    const checks = await readClusterLabChecks(client, config, undefined, 'start');
    if (want(checks)) return checks;
    await new Promise((r) => setTimeout(r, 200));
  }
  return readClusterLabChecks(client, config, undefined, 'start');
}

test('read from a real Prometheus: a healthy lab passes, a replica that stops streaming fails the check (stand-in exporter)', async () => {
  lines = clusterMetrics({ streaming: 2, redisState: 1 });
  const ok = await readWhenScraped((c) => c.every((check) => check.ok));
  assert.deepEqual(ok.map((c) => [c.id, c.ok]), [['replication_streaming', true], ['redis_cluster_ok', true]], JSON.stringify(ok));
  assert.match(ok[0]!.detail, /^2 of 2 replicas streaming, 3 of 3 instances exporting, max replication lag 0\.3 s/);

  lines = clusterMetrics({ streaming: 1, redisState: 0 });
  const broken = await readWhenScraped((c) => c.every((check) => !check.ok));
  assert.deepEqual(broken.map((c) => c.ok), [false, false], JSON.stringify(broken));
  assert.match(broken[0]!.detail, /^1 of 2 replicas streaming/);
  assert.match(broken[1]!.detail, /cluster_state fail/);
});
