import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthStatus, type HealthChecks } from './health.ts';
import { flowState } from './pathiq.ts';

const all: HealthChecks = { primary: { ok: true }, replicas: [{ ok: true }, { ok: true }], redis: { ok: true }, pool: { saturated: false } };

test('healthStatus: healthy, degraded by a replica / Redis / a saturated pool, unhealthy without the primary', () => {
  assert.equal(healthStatus(all), 'healthy');
  assert.equal(healthStatus({ ...all, replicas: [{ ok: false }, { ok: true }] }), 'degraded');
  assert.equal(healthStatus({ ...all, redis: { ok: false } }), 'degraded');
  assert.equal(healthStatus({ ...all, pool: { saturated: true } }), 'degraded');
  assert.equal(healthStatus({ ...all, primary: { ok: false } }), 'unhealthy');
  assert.equal(healthStatus({ ...all, replicas: [] }), 'healthy', 'no replicas configured is not a fault');
});

test('flowState: warming up, flow at ~70 % success, bored above 90 %, challenged below 40 %', () => {
  assert.deepEqual(flowState(0, 0), { percentage: 50, state: 'warming_up' });
  assert.deepEqual(flowState(10, 7), { percentage: 100, state: 'flow' });
  assert.equal(flowState(10, 10).state, 'bored');
  assert.equal(flowState(10, 1).state, 'challenged');
  for (let good = 0; good <= 20; good++) {
    const { percentage } = flowState(20, good);
    assert.ok(percentage >= 0 && percentage <= 100);
  }
});
