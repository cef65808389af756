import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv, DEFAULTS } from './config.ts';

const minimal = { DATABASE_PRIMARY_URL: 'postgres://u:p@db:5432/app', REDIS_NODES: 'r1:6379,r2:6380' };

test('configFromEnv: defaults from a minimal environment', () => {
  const c = configFromEnv(minimal);
  assert.equal(c.port, DEFAULTS.port);
  assert.deepEqual(c.replicaUrls, []);
  assert.deepEqual(c.redisNodes, [{ host: 'r1', port: 6379 }, { host: 'r2', port: 6380 }]);
  assert.equal(c.redisPassword, undefined);
  assert.equal(c.injectLatencyMs, 0);
  assert.equal(c.rateLimitMax, DEFAULTS.rateLimitMax);
});

test('configFromEnv: replicas from URLs and from -ro hosts sharing the primary credentials', () => {
  const c = configFromEnv({ ...minimal, DATABASE_REPLICA_URLS: 'postgres://u:p@r1/app, postgresql://u:p@r2/app', DATABASE_REPLICA_HOSTS: 'pg-ro:5433' });
  assert.deepEqual(c.replicaUrls, ['postgres://u:p@r1/app', 'postgresql://u:p@r2/app', 'postgres://u:p@pg-ro:5433/app']);
});

test('configFromEnv: errors name the variable and what is valid', () => {
  assert.throws(() => configFromEnv({ REDIS_NODES: 'r:1' }), /DATABASE_PRIMARY_URL is required/);
  assert.throws(() => configFromEnv({ ...minimal, DATABASE_PRIMARY_URL: 'mysql://x' }), /DATABASE_PRIMARY_URL has protocol mysql:/);
  assert.throws(() => configFromEnv({ ...minimal, REDIS_NODES: '' }), /REDIS_NODES is required/);
  assert.throws(() => configFromEnv({ ...minimal, REDIS_NODES: 'r1:6379,nope' }), /REDIS_NODES\[1\]="nope" is invalid: expected host:port/);
  assert.throws(() => configFromEnv({ ...minimal, PORT: 'http' }), /PORT="http" is invalid: expected an integer from 0 to 65535/);
  assert.throws(() => configFromEnv({ ...minimal, TARGET_INJECT_LATENCY_MS: '-5' }), /TARGET_INJECT_LATENCY_MS/);
  assert.throws(() => configFromEnv({ ...minimal, LOG_LEVEL: 'loud' }), /LOG_LEVEL="loud" is invalid: expected one of fatal, error/);
  assert.throws(() => configFromEnv({ ...minimal, DATABASE_REPLICA_URLS: 'postgres://ok/a,redis://x' }), /DATABASE_REPLICA_URLS\[1\]/);
});
