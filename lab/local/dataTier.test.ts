import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataTier, startDataTier, type DataTier } from './dataTier.ts';
import { stopRecordedProcesses, Supervisor } from '../process/supervisor.ts';

let stateDir: string;
let supervisor: Supervisor;
let tier: DataTier;

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-tier-test-'));
  supervisor = new Supervisor(stateDir);
  tier = await startDataTier({ stateDir, supervisor, withExporters: true });
});

after(async () => {
  await supervisor.stopAll();
  rmSync(stateDir, { recursive: true, force: true });
  if (tier && !tier.postgres.rootDir.startsWith(stateDir)) rmSync(tier.postgres.rootDir, { recursive: true, force: true });
});

test('startDataTier returns the endpoints the lab and the target service need', () => {
  assert.match(tier.postgres.primaryUrl, /^postgresql:\/\/perflab_app:[^@]+@127\.0\.0\.1:\d+\/perflab$/);
  assert.equal(tier.postgres.replicaUrls.length, 2);
  assert.equal(tier.redis.nodes.length, 6);
  for (const node of tier.redis.nodes) assert.match(node, /^127\.0\.0\.1:\d+$/);
  assert.ok(tier.redis.password.length >= 20);
  assert.ok(tier.coldStartMs > 0);
  // 2 postgres servers + primary, 6 redis, 2 exporters
  assert.equal(supervisor.processes.length, 11);
});

test('checkDataTier: replication and cluster checks are green', async () => {
  const checks = await checkDataTier(tier);
  assert.equal(checks.replication.ok, true, checks.replication.problem);
  assert.equal(checks.replication.streamingReplicas, 2);
  assert.equal(checks.redisCluster.ok, true, checks.redisCluster.problem);
  assert.equal(checks.redisCluster.clusterState, 'ok');
  assert.equal(checks.ok, true);
});

test('the postgres exporter sees the primary and both streaming replicas', async () => {
  const body = await (await fetch(tier.exporters!.postgres.metricsUrl)).text();
  assert.ok(body.split('\n').includes('pg_up 1'));
  const streaming = body.split('\n').filter((l) => l.startsWith('pg_stat_replication_pg_wal_lsn_diff{') && l.includes('state="streaming"'));
  assert.deepEqual(streaming.map((l) => /application_name="([^"]+)"/.exec(l)![1]).sort(), ['postgres-replica-1', 'postgres-replica-2']);
});

test('the redis exporter scrapes every node: 3 with a replica attached, 3 without', async () => {
  const connected: number[] = [];
  for (const url of tier.exporters!.redis.scrapeUrls) {
    const lines = (await (await fetch(url)).text()).split('\n');
    assert.ok(lines.includes('redis_up 1'), `${url}: redis_up is not 1`);
    connected.push(Number(lines.find((l) => l.startsWith('redis_connected_slaves '))!.split(' ')[1]));
  }
  assert.deepEqual(connected.sort(), [0, 0, 0, 1, 1, 1]);
});

test('a kept tier is stopped from its pid file alone (lab:down), every process of it', async () => {
  const procs = supervisor.processes.map((p) => ({ pid: p.pid, name: p.name, exited: p.exited }));
  const names = procs.map((p) => p.name).sort();
  // as another process would: nothing but the state folder
  const stopped = await stopRecordedProcesses(stateDir, 5000);
  assert.deepEqual([...stopped].sort(), names);
  for (const p of procs) {
    // our own children: reaped (not just signalled) once their exit is seen
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 2000))]);
    assert.throws(() => process.kill(p.pid, 0), `${p.name} (pid ${p.pid}) still alive`);
  }
  const checks = await checkDataTier(tier);
  assert.equal(checks.ok, false);
  assert.match(checks.replication.problem!, /cannot query the primary/);
  assert.match(checks.redisCluster.problem!, /no node answered/);
});

test('tier.stop after that is harmless and leaves the supervisor empty', async () => {
  await tier.stop();
  assert.equal(supervisor.processes.length, 0);
});
