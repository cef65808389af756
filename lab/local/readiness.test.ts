import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRedisCluster, parseClusterInfo, parseClusterNodes, redisClusterCheck, replicationCheck, splitAddress,
} from './readiness.ts';

// CLUSTER NODES as a healthy 3×1 cluster prints it (one node marked fail? to check it is not counted).
const NODES = [
  'a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
  'a2 127.0.0.1:7001@17001 master - 0 1700000000000 2 connected 5461-10922',
  'a3 127.0.0.1:7002@17002 master - 0 1700000000000 3 connected 10923-16383',
  'b1 127.0.0.1:7003@17003 slave a1 0 1700000000000 1 connected',
  'b2 127.0.0.1:7004@17004 slave a2 0 1700000000000 2 connected',
  'b3 127.0.0.1:7005@17005 slave,fail? a3 0 1700000000000 3 connected',
  '',
].join('\n');

test('parseClusterNodes reads roles, primaries of replicas, slot counts and failure flags', () => {
  const nodes = parseClusterNodes(NODES);
  assert.equal(nodes.length, 6);
  assert.deepEqual(nodes.map((n) => n.slots), [5461, 5462, 5461, 0, 0, 0]);
  assert.deepEqual(nodes.map((n) => n.role), ['primary', 'primary', 'primary', 'replica', 'replica', 'replica']);
  assert.equal(nodes[3]!.primaryId, 'a1');
  assert.equal(nodes[0]!.primaryId, undefined);
  assert.equal(nodes[0]!.address, '127.0.0.1:7000');
  assert.deepEqual(nodes.map((n) => n.failed), [false, false, false, false, false, true]);
});

test('parseClusterNodes counts single slots and ignores migrating/importing entries', () => {
  const [node] = parseClusterNodes('x 127.0.0.1:1@11 master - 0 0 1 connected 0-9 42 [43->-y] [44-<-z]');
  assert.equal(node!.slots, 11);
});

test('redisClusterCheck is ok for a full 3×1 cluster and names what is missing otherwise', () => {
  const info = parseClusterInfo('cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:6\r\n');
  const healthy = NODES.replace('slave,fail?', 'slave');
  const ok = redisClusterCheck(info, parseClusterNodes(healthy), '127.0.0.1:7000');
  assert.equal(ok.ok, true);
  assert.equal(ok.clusterState, 'ok');
  assert.equal(ok.slotsAssigned, 16384);
  assert.equal(ok.primaries, 3);
  assert.equal(ok.replicas, 3);
  assert.equal(ok.problem, undefined);

  const degraded = redisClusterCheck(info, parseClusterNodes(NODES), '127.0.0.1:7000');
  assert.equal(degraded.ok, false);
  assert.equal(degraded.replicas, 2);
  assert.match(degraded.problem!, /2 of 3 replicas/);

  const down = redisClusterCheck({ cluster_state: 'fail', cluster_slots_ok: '10923' }, parseClusterNodes(healthy), 'x');
  assert.equal(down.ok, false);
  assert.match(down.problem!, /cluster_state is fail/);
  assert.match(down.problem!, /10923 of 16384 slots ok/);
});

test('replicationCheck counts only streaming replicas and reports the worst lag', () => {
  const check = replicationCheck([
    { name: 'r1', state: 'streaming', lagBytes: 100, replayLagMs: 1 },
    { name: 'r2', state: 'streaming', lagBytes: 4096, replayLagMs: null },
  ], 2);
  assert.equal(check.ok, true);
  assert.equal(check.streamingReplicas, 2);
  assert.equal(check.maxLagBytes, 4096);

  const catchingUp = replicationCheck([
    { name: 'r1', state: 'streaming', lagBytes: 0, replayLagMs: null },
    { name: 'r2', state: 'catchup', lagBytes: 1e6, replayLagMs: null },
  ], 2);
  assert.equal(catchingUp.ok, false);
  assert.equal(catchingUp.maxLagBytes, 0);
  assert.match(catchingUp.problem!, /1 of 2 replicas streaming/);
});

test('replicationCheck says when the role cannot see replication details', () => {
  const check = replicationCheck([{ name: 'r1', state: null, lagBytes: null, replayLagMs: null }], 1);
  assert.equal(check.ok, false);
  assert.match(check.problem!, /pg_monitor/);
});

test('splitAddress validates host:port and names the bad value', () => {
  assert.deepEqual(splitAddress('127.0.0.1:7000'), ['127.0.0.1', 7000]);
  assert.throws(() => splitAddress('127.0.0.1'), /bad Redis node address "127.0.0.1": expected host:port/);
  assert.throws(() => splitAddress('h:70000'), /bad Redis node address/);
});

test('checkRedisCluster reports a problem, not a throw, when no node answers', async () => {
  const check = await checkRedisCluster(['127.0.0.1:1'], 'x');
  assert.equal(check.ok, false);
  assert.match(check.problem!, /no node answered: 127.0.0.1:1/);
});
