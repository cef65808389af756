import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { KIND } from '../versions.ts';
import { kindConfig, poolsIn, renderKindConfig, type KindCluster } from './kindConfig.ts';
import { nodeSelectorFor, POOL_LABEL, POOL_NAMES, isNodePool } from './pools.ts';

const committed = readFileSync(new URL('../../kind-config.yaml', import.meta.url), 'utf8');

test('kind-config.yaml is the rendered pools (re-render with: npx tsx lab/cluster/kindConfig.ts --write)', () => {
  assert.equal(committed, renderKindConfig());
});

test('kind-config.yaml: 5 nodes, 1 control-plane, 4 workers, one per pool, on the pinned node image', () => {
  const config = parse(committed) as KindCluster;
  assert.equal(config.kind, 'Cluster');
  assert.equal(config.apiVersion, 'kind.x-k8s.io/v1alpha4');
  assert.equal(config.nodes.length, 5);
  assert.equal(config.nodes.filter((n) => n.role === 'control-plane').length, 1);
  assert.equal(config.nodes.filter((n) => n.role === 'worker').length, 4);
  assert.deepEqual(poolsIn(config).sort(), [...POOL_NAMES].sort());
  for (const node of config.nodes) assert.equal(node.image, KIND.nodeImage);
});

test('pools: nodeSelectorFor names the pool under the one pool label; unknown pools are not pools', () => {
  assert.deepEqual(nodeSelectorFor('load'), { [POOL_LABEL]: 'load' });
  assert.ok(isNodePool('data'));
  assert.ok(!isNodePool('gpu'));
  assert.ok(!isNodePool('toString'), 'object prototype keys are not pools');
  assert.equal(kindConfig('other', ['data']).nodes.length, 2);
});
