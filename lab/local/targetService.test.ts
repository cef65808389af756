import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv } from '../../target/src/config.ts';
import type { DataTier } from './dataTier.ts';
import { targetServiceEnv } from './targetService.ts';

test('the target env is what the target service accepts (its own config parser)', () => {
  const tier = {
    postgres: { primaryUrl: 'postgresql://app:pw@127.0.0.1:5001/perflab', replicaUrls: ['postgresql://app:pw@127.0.0.1:5002/perflab', 'postgresql://app:pw@127.0.0.1:5003/perflab'] },
    redis: { nodes: ['127.0.0.1:7001', '127.0.0.1:7002'], password: 'secret' },
  } as unknown as Pick<DataTier, 'postgres' | 'redis'>;
  const config = configFromEnv(targetServiceEnv(tier, 8123, { TARGET_INJECT_LATENCY_MS: '250' }));
  assert.equal(config.port, 8123);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.replicaUrls.length, 2);
  assert.deepEqual(config.redisNodes, [{ host: '127.0.0.1', port: 7001 }, { host: '127.0.0.1', port: 7002 }]);
  assert.equal(config.redisPassword, 'secret');
  assert.equal(config.injectLatencyMs, 250);
});
