import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresExporterDsn, redisScrapeUrl, redisTarget } from './exporters.ts';

test('postgresExporterDsn keeps the credentials and turns TLS off for loopback', () => {
  const dsn = new URL(postgresExporterDsn('postgresql://mon:p%2Fw@127.0.0.1:5999/perflab'));
  assert.equal(dsn.username, 'mon');
  assert.equal(dsn.password, 'p%2Fw');
  assert.equal(dsn.port, '5999');
  assert.equal(dsn.pathname, '/perflab');
  assert.equal(dsn.searchParams.get('sslmode'), 'disable');
});

test('redisScrapeUrl points the multi-target endpoint at one node', () => {
  assert.equal(redisTarget('127.0.0.1:7001'), 'redis://127.0.0.1:7001');
  const url = new URL(redisScrapeUrl('127.0.0.1:9121', '127.0.0.1:7001'));
  assert.equal(url.host, '127.0.0.1:9121');
  assert.equal(url.pathname, '/scrape');
  assert.equal(url.searchParams.get('target'), 'redis://127.0.0.1:7001');
});
