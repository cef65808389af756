// Values per profile: what the sim profile sets that a real cluster must not (its operators never
// serve their admission webhooks), and every chart's values on every profile within the keys the
// chart reads. Pure: no chart, no cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_PROFILES, resolveLabConfig } from '../../config/index.ts';
import { checkChartValues } from './chartKeys.ts';
import { cnpgOperatorValues } from './cnpgOperator.ts';
import { k6OperatorValues } from './k6Operator.ts';
import { kubePrometheusStackValues } from './kubePrometheusStack.ts';
import { postgresClusterValues } from './postgresCluster.ts';
import { redisClusterValues } from './redisCluster.ts';
import { redisOperatorValues } from './redisOperator.ts';
import { targetApiValues } from './targetApi.ts';

test('sim: CloudNativePG\'s webhooks ignore failures, since no operator pod ever serves them (else every Cluster CR is refused); kind and cloud keep the chart\'s Fail', () => {
  const sim = cnpgOperatorValues(resolveLabConfig({ profile: 'sim' }));
  assert.deepEqual(sim.webhook, { mutating: { failurePolicy: 'Ignore' }, validating: { failurePolicy: 'Ignore' } });
  for (const profile of ['kind', 'cloud'] as const) {
    assert.equal('webhook' in cnpgOperatorValues(resolveLabConfig({ profile })), false, `${profile}: the chart's default (Fail) stays`);
  }
});

test('every chart\'s values, on every profile, set only keys the chart reads and all it needs', () => {
  for (const profile of LAB_PROFILES) {
    const config = resolveLabConfig({ profile });
    const charts: Array<[string, unknown]> = [
      ['kube-prometheus-stack', kubePrometheusStackValues(config)],
      ['k6-operator', k6OperatorValues(config)],
      ['cloudnative-pg', cnpgOperatorValues(config)],
      ['cluster', postgresClusterValues(config)],
      ['redis-operator', redisOperatorValues(config)],
      ['redis-cluster', redisClusterValues(config)],
      ['target-api', targetApiValues(config)],
    ];
    for (const [chart, values] of charts) {
      assert.deepEqual(checkChartValues(chart, values), { unknown: [], missing: [] }, `${profile}: ${chart}`);
    }
  }
});
