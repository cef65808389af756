import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheKeys, CACHE_TTL_SECONDS, redisCheckFrom } from './cache.ts';

test('TTLs are the guidelines §5.1 application cache', () => {
  assert.deepEqual(CACHE_TTL_SECONDS, { sessionData: 900, careerPools: 3600, generatedContent: 86400, pathIQAnalysis: 300 });
});

test("a student's keys share one hash tag (one slot: deletable together)", () => {
  const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
  assert.equal(tag(cacheKeys.careerPool('s1')), tag(cacheKeys.flowState('s1')));
  assert.notEqual(tag(cacheKeys.careerPool('s1')), tag(cacheKeys.careerPool('s2')));
});

const NODES = `a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460
a2 127.0.0.1:7002@17002 master - 0 1 2 connected 5461-10922
a3 127.0.0.1:7003@17003 master - 0 1 3 connected 10923-16383
b1 127.0.0.1:7004@17004 slave a1 0 1 1 connected
b2 127.0.0.1:7005@17005 slave a2 0 1 2 connected
b3 127.0.0.1:7006@17006 slave a3 0 1 3 connected
`;

test('redisCheckFrom: all linked and state ok is ok; a disconnected or failed node is not', () => {
  const ok = redisCheckFrom(NODES, 'cluster_state:ok\r\ncluster_slots_assigned:16384\r\n');
  assert.deepEqual({ ok: ok.ok, up: ok.nodesUp, masters: ok.mastersUp }, { ok: true, up: 6, masters: 3 });
  const lost = redisCheckFrom(NODES.replace('0 1 2 connected 5461', '0 1 2 disconnected 5461'), 'cluster_state:ok\r\n');
  assert.equal(lost.ok, false);
  assert.deepEqual(lost.down, ['127.0.0.1:7002']);
  assert.equal(lost.mastersUp, 2);
  const failed = redisCheckFrom(NODES.replace('slave a3', 'slave,fail a3'), 'cluster_state:ok\r\n');
  assert.equal(failed.ok, false);
  assert.equal(redisCheckFrom(NODES, 'cluster_state:fail\r\n').ok, false);
});
