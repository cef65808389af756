// Every kind the local target injects, for real, on one local lab shared by the tests of this file
// (runner-kill needs k6 runners: test/e2e/faults.test.ts): each through the fault schedule, as a
// run drives it, until the lab has recovered — and then what recovered is checked from the servers
// themselves: a restarted standby streams again (pg_stat_replication), a killed Redis primary's
// replica was promoted and the old primary rejoined as its replica, a stalled standby answered
// nothing while stopped, Prometheus kept the samples from before its restart.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalLab, type LocalLab } from '../local/localLab.ts';
import { checkRedisCluster, checkReplication } from '../local/readiness.ts';
import { labChecksFromReadiness } from '../run/localLabChecks.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { LOCAL_REPLICA, localFaultDriver, primaryOfSlot0, redisRole } from './localFaults.ts';
import { parseFaultSpec } from './kinds.ts';
import { startFaultSchedule, type FaultRecord } from './schedule.ts';

const root = mkdtempSync(join(tmpdir(), 'perflab-faults-'));
let lab: LocalLab;
const measured: string[] = [];

before(async () => {
  lab = await startLocalLab({ runId: 'faults-test', stateDir: join(root, 'lab') });
});

after(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
  console.log(`recovery on the local lab (lab checks green again, part back):\n  ${measured.join('\n  ')}`);
});

/** One fault through the schedule, offset 0, until the lab checks have been green (and the part back) for 1 s. */
async function runFault(text: string, maxRecoveryMs = 60_000): Promise<FaultRecord> {
  const driver = localFaultDriver({ lab, parallelism: 2, checks: async () => labChecksFromReadiness(await lab.checkReadiness(), 'end') });
  const lines: string[] = [];
  const started = Date.now();
  const schedule = startFaultSchedule({
    faults: [parseFaultSpec(text)], driver, startedAt: () => started, maxRecoveryMs, holdWindowMs: 1000, log: (l) => lines.push(l),
    signal: new AbortController().signal, pollIntervalMs: 250,
  });
  const [record] = await schedule.done;
  assert.ok(record!.injected, `${text} not injected: ${record!.notInjected}\n${lines.join('\n')}`);
  assert.ok(record!.checksGreenAtMs !== undefined, `${text}: the lab did not recover within ${maxRecoveryMs} ms:\n${lines.join('\n')}\n` +
    JSON.stringify(record!.polls.at(-1)));
  const after = record!.checksGreenAtMs! - record!.injectedAtMs!;
  measured.push(`${text}: ${after} ms (${record!.polls.at(-1)!.healing})`);
  return record!;
}

const replicaUrl = () => lab.dataTier.postgres.replicas.find((r) => r.name === LOCAL_REPLICA)!.url;

test('pg-replica-kill: the supervisor restarts the standby, which streams again from its slot', async () => {
  const before = lab.supervisor.find(LOCAL_REPLICA)!.pid;
  const record = await runFault('pg-replica-kill@0s');
  assert.ok(record.polls.some((p) => p.failing.some((c) => c.id === 'replication_streaming')), 'the kill never showed in the replication check');
  assert.notEqual(lab.supervisor.find(LOCAL_REPLICA)!.pid, before);
  const replication = await checkReplication(lab.dataTier.postgres.monitor.url);
  assert.deepEqual(replication.replicas.map((r) => `${r.name} ${r.state}`), ['postgres-replica-1 streaming', 'postgres-replica-2 streaming']);
  // and it serves reads again, with this run's data
  const client = new pg.Client({ connectionString: replicaUrl() });
  await client.connect();
  assert.ok(Number((await client.query('SELECT count(*) AS n FROM students')).rows[0].n) > 0);
  await client.end();
});

test('pg-replica-pause: the standby answers nothing while stopped, and everything again once resumed', async () => {
  const driver = localFaultDriver({ lab, parallelism: 2, checks: async () => [] });
  const fault = parseFaultSpec('pg-replica-pause@0s+3s');
  const hit = await driver.inject(fault);
  const stalled = new pg.Client({ connectionString: replicaUrl(), connectionTimeoutMillis: 1000 });
  await assert.rejects(stalled.connect(), /timeout/i, 'a stopped standby accepted a session');
  await stalled.end().catch(() => {});
  await driver.lift(fault, hit);
  // the same fault through the schedule: lifted after its duration, then green
  const record = await runFault('pg-replica-pause@0s+3s');
  assert.ok(record.liftedAtMs! - record.injectedAtMs! >= 3000);
  assert.ok(record.checksGreenAtMs! >= record.liftedAtMs!, 'green before the stall was lifted');
  assert.equal((await checkReplication(lab.dataTier.postgres.monitor.url)).streamingReplicas, 2);
});

test('redis-primary-kill: the replica is promoted, and the old primary rejoins as its replica', async () => {
  const { nodes, password } = lab.dataTier.redis;
  const oldPrimary = await primaryOfSlot0(nodes, password);
  const record = await runFault('redis-primary-kill@0s');
  assert.ok(record.polls.some((p) => p.failing.some((c) => c.id === 'redis_cluster_ok')), 'the kill never showed in the cluster check');
  const newPrimary = await primaryOfSlot0(nodes, password);
  assert.notEqual(newPrimary, oldPrimary, 'slot 0 is still served by the killed node');
  assert.equal(await redisRole(oldPrimary, password), 'replica (link up)');
  const cluster = await checkRedisCluster(nodes, password);
  assert.ok(cluster.ok, cluster.problem);
  const old = cluster.nodes.find((n) => n.address === oldPrimary)!;
  assert.equal(cluster.nodes.find((n) => n.id === old.primaryId)?.address, newPrimary, 'the old primary replicates the promoted one');
  // the restart waited for the failover (a cache without persistence must not come back as an empty primary)
  const restart = lab.supervisor.restarts.filter((r) => r.name.startsWith('redis-')).at(-1)!;
  assert.ok(restart.restartedAtMs! - restart.exitedAtMs >= 9000);
});

test('redis-node-pause: stalled past the node timeout, the primary is failed over and rejoins as a replica once resumed', async () => {
  const { nodes, password } = lab.dataTier.redis;
  const paused = await primaryOfSlot0(nodes, password);
  const record = await runFault('redis-node-pause@0s+6s');
  assert.ok(record.polls.some((p) => p.failing.length > 0), 'the stall never showed in the lab checks');
  assert.notEqual(await primaryOfSlot0(nodes, password), paused);
  assert.equal(await redisRole(paused, password), 'replica (link up)');
  assert.ok((await checkRedisCluster(nodes, password)).ok);
});

test('target-restart: stopped, started again by the supervisor, healthy', async () => {
  const before = lab.supervisor.find('target')!.pid;
  const record = await runFault('target-restart@0s');
  assert.ok(record.polls.some((p) => p.failing.some((c) => c.id === 'target_healthy')), 'the restart never showed in the target check');
  assert.notEqual(lab.supervisor.find('target')!.pid, before);
  const health = await (await fetch(`${lab.endpoints.targetBaseUrl}/api/v1/health`)).json() as { status: string };
  assert.equal(health.status, 'healthy');
});

test('prometheus-restart: started again on the same data, scraping every target, nothing from before lost', async () => {
  const client = new PrometheusClient(lab.prometheus.url);
  const beforeMs = Date.now() - 2000;
  const upBefore = await client.query('up{job="target"}', beforeMs);
  assert.equal(upBefore.length, 1);
  const record = await runFault('prometheus-restart@0s');
  assert.ok(record.polls.some((p) => p.failing.some((c) => c.id === 'prometheus_scraping')), 'the restart never showed in the scraping check');
  assert.deepEqual((await client.query('up{job="target"}', beforeMs)).map((s) => s.value), upBefore.map((s) => s.value), 'samples from before the restart are gone');
  assert.ok(lab.supervisor.restarts.some((r) => r.name === 'prometheus' && r.restartedAtMs !== undefined));
});

test('a fault that cannot recover within the limit is recorded as such, and a stall is lifted all the same', async () => {
  const driver = localFaultDriver({ lab, parallelism: 2, checks: async () => labChecksFromReadiness(await lab.checkReadiness(), 'end') });
  const started = Date.now();
  const schedule = startFaultSchedule({
    faults: [parseFaultSpec('pg-replica-pause@0s+6s')], driver, startedAt: () => started, maxRecoveryMs: 2000, holdWindowMs: 1000,
    log: () => {}, signal: new AbortController().signal, pollIntervalMs: 250,
  });
  const [record] = await schedule.done;
  assert.equal(record!.checksGreenAtMs, undefined, 'a stall of 6 s recovered within 2 s');
  assert.ok(record!.liftedAtMs !== undefined && record!.liftedAtMs - record!.injectedAtMs! >= 6000, 'the stall was not lifted after its duration');
  const client = new pg.Client({ connectionString: replicaUrl(), connectionTimeoutMillis: 3000 });
  await client.connect();
  await client.end();
});

test('Ctrl-C during a stall lifts it at once: the lab is never left with a stopped process', async () => {
  const driver = localFaultDriver({ lab, parallelism: 2, checks: async () => labChecksFromReadiness(await lab.checkReadiness(), 'end') });
  const started = Date.now();
  const ctrlC = new AbortController();
  const schedule = startFaultSchedule({
    faults: [parseFaultSpec('pg-replica-pause@0s+60s')], driver, startedAt: () => started, maxRecoveryMs: 120_000, holdWindowMs: 1000,
    log: () => {}, signal: ctrlC.signal, pollIntervalMs: 250,
  });
  while (!schedule.records[0]!.injected) await new Promise((r) => setTimeout(r, 50));
  setTimeout(() => ctrlC.abort(), 1000);
  const [record] = await schedule.finish(Date.now());
  assert.ok(record!.injected);
  assert.ok(record!.liftedAtMs! - record!.injectedAtMs! < 5000, `lifted ${record!.liftedAtMs! - record!.injectedAtMs!} ms after the injection`);
  const client = new pg.Client({ connectionString: replicaUrl(), connectionTimeoutMillis: 3000 });
  await client.connect();
  await client.end();
});
