import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Cluster } from 'ioredis';
import { checkRedisCluster } from './readiness.ts';
import { redisConf, slotRanges, startRedisCluster, type LocalRedisCluster } from './redisCluster.ts';
import { isRunning, Supervisor } from '../process/supervisor.ts';

test('slotRanges covers 0..16383 without gaps or overlaps, split like redis-cli', () => {
  assert.deepEqual(slotRanges(3), [[0, 5460], [5461, 10922], [10923, 16383]]);
  for (const n of [1, 2, 3, 5, 7]) {
    const ranges = slotRanges(n);
    assert.equal(ranges[0]![0], 0);
    assert.equal(ranges.at(-1)![1], 16383);
    for (let i = 1; i < n; i++) assert.equal(ranges[i]![0], ranges[i - 1]![1] + 1);
  }
});

test('redisConf: cluster mode, loopback, no persistence, the password for clients and replicas', () => {
  const conf = redisConf({ port: 7000, dir: '/d', password: 'secret-1' });
  for (const line of ['port 7000', 'bind 127.0.0.1', 'cluster-enabled yes', 'appendonly no', 'save ""',
    'requirepass secret-1', 'masterauth secret-1', 'set-proc-title no']) {
    assert.ok(conf.split('\n').includes(line), `missing "${line}"`);
  }
});

let stateDir: string;
let supervisor: Supervisor;
let redis: LocalRedisCluster;

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perflab-redis-test-'));
  supervisor = new Supervisor(stateDir);
  redis = await startRedisCluster({ stateDir, supervisor });
});

after(async () => {
  await supervisor.stopAll();
  rmSync(stateDir, { recursive: true, force: true });
});

test('6 nodes form one cluster: cluster_state ok, 16384 slots, 3 primaries, 3 replicas', async () => {
  assert.equal(redis.nodes.length, 6);
  for (const node of redis.nodes) {
    const check = await checkRedisCluster([node], redis.password);
    assert.equal(check.ok, true, `${node}: ${check.problem}`);
    assert.equal(check.clusterState, 'ok');
    assert.equal(check.slotsAssigned, 16384);
    assert.equal(check.primaries, 3);
    assert.equal(check.replicas, 3);
  }
  // every primary has exactly one replica
  const check = await checkRedisCluster(redis.nodes, redis.password);
  const primaryIds = check.nodes.filter((n) => n.role === 'primary').map((n) => n.id).sort();
  const replicated = check.nodes.filter((n) => n.role === 'replica').map((n) => n.primaryId).sort();
  assert.deepEqual(replicated, primaryIds);
});

test('a cluster client writes keys across all shards and reads them back', async () => {
  const client = new Cluster(redis.nodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })), {
    redisOptions: { password: redis.password },
  });
  try {
    const keys = Array.from({ length: 50 }, (_, i) => `probe:${i}`);
    await Promise.all(keys.map((k) => client.set(k, k, 'EX', 60)));
    assert.deepEqual(await Promise.all(keys.map((k) => client.get(k))), keys);
    const owners = new Set(await Promise.all(keys.map(async (k) => Number(await client.cluster('KEYSLOT', k)))).then(
      (slots) => slots.map((s) => (s <= 5460 ? 0 : s <= 10922 ? 1 : 2))));
    assert.equal(owners.size, 3, 'keys landed on every shard');
  } finally {
    client.disconnect();
  }
});

test('a node refuses clients without the generated password', async () => {
  // a raw socket: a client library would authenticate or retry; we want the server's own answer
  const [host, port] = redis.nodes[0]!.split(':');
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: host!, port: Number(port) }, () => socket.write('GET x\r\n'));
    socket.once('data', (d) => { resolve(d.toString()); socket.destroy(); });
    socket.once('error', reject);
  });
  assert.match(reply, /^-NOAUTH/);
});

test('a stopped primary is failed over to its replica and the cluster is ok again', async () => {
  const before = await checkRedisCluster(redis.nodes, redis.password);
  const stopped = redis.members[0]!;
  const primary = before.nodes.find((n) => n.address === stopped.address)!;
  const itsReplica = before.nodes.find((n) => n.primaryId === primary.id)!;
  const startedAt = Date.now();
  await stopped.stop();
  const rest = redis.nodes.filter((n) => n !== stopped.address);
  let check = await checkRedisCluster(rest, redis.password, { primaries: 3, replicas: 2 });
  while (!(check.ok && check.nodes.find((n) => n.id === itsReplica.id)?.role === 'primary') && Date.now() - startedAt < 20_000) {
    await new Promise((r) => setTimeout(r, 100));
    check = await checkRedisCluster(rest, redis.password, { primaries: 3, replicas: 2 });
  }
  assert.equal(check.ok, true, check.problem);
  assert.equal(check.nodes.find((n) => n.id === itsReplica.id)!.role, 'primary');
  // what the full 3×1 check says now: one replica short, named
  const full = await checkRedisCluster(rest, redis.password);
  assert.equal(full.ok, false);
  assert.match(full.problem!, /2 of 3 replicas/);
});

test('stopAll leaves no Redis process of this lab behind', async () => {
  const pids = supervisor.processes.map((p) => p.pid);
  assert.equal(pids.length, 5);
  await supervisor.stopAll();
  for (const pid of pids) assert.equal(isRunning(pid), false, `pid ${pid} still alive`);
  const inStateDir = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stateDir) || readlinkSync(`/proc/${pid}/cwd`).startsWith(stateDir);
    } catch {
      return false;
    }
  });
  assert.deepEqual(inStateDir, []);
});

