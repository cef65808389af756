// The lab's nodes (clusterNodes) and whether the lab's requests fit them (fitCheck): every profile
// as shipped, with a run's default runners; what does not fit is named with the fields to change.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RUNNER_RESOURCES } from '../../k6-operator/testrun.ts';
import { clusterNodes, POOL_LABEL, POOL_NAMES } from '../cluster/pools.ts';
import { LAB_PROFILES, resolveLabConfig, type Resources } from './index.ts';
import { cloudReserved, fitCheck, nodeAvailable, runnersFit, runnerWorkload } from './fit.ts';

const runnerRequests = DEFAULT_RUNNER_RESOURCES.requests as Resources['requests'];
/** a run as run-soak starts it by default: 2 runners. */
const defaultRun = (config: ReturnType<typeof resolveLabConfig>) => [runnerWorkload(config, 2, runnerRequests)];

test('clusterNodes: one worker per pool, named and labelled as a kubelet would, sized by cluster.nodes', () => {
  const cloud = resolveLabConfig({ profile: 'cloud' });
  const nodes = clusterNodes(cloud);
  assert.deepEqual(nodes.map((n) => n.name), ['perflab-data', 'perflab-app', 'perflab-load', 'perflab-monitoring']);
  assert.deepEqual(nodes[0], {
    name: 'perflab-data',
    labels: { 'kubernetes.io/hostname': 'perflab-data', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', [POOL_LABEL]: 'data' },
    capacity: { cpu: '4', memory: '16Gi', pods: '110' },
  });
  assert.deepEqual(nodes.map((n) => n.labels[POOL_LABEL]), POOL_NAMES);
  for (const profile of ['kind', 'sim'] as const) {
    for (const n of clusterNodes(resolveLabConfig({ profile }))) assert.deepEqual(n.capacity, { cpu: '8', memory: '16Gi', pods: '110' });
  }
  const bigger = resolveLabConfig({ profile: 'cloud', overrides: { cluster: { name: 'lab2', nodes: { data: { cpu: '8', memory: '32Gi' } } } } });
  assert.deepEqual(clusterNodes(bigger)[0]!.capacity, { cpu: '8', memory: '32Gi', pods: '110' }, 'a pool overridden field by field');
  assert.equal(clusterNodes(bigger)[1]!.name, 'lab2-app');
});

test('every profile as shipped fits its nodes, with a run\'s two default runners (issue 10 F9)', () => {
  for (const profile of LAB_PROFILES) {
    const config = resolveLabConfig({ profile });
    const fit = fitCheck(config, defaultRun(config));
    assert.deepEqual(fit.problems, [], profile);
    assert.equal(fit.fits, true);
  }
});

test('cloud: 3 Postgres instances and the 6 Redis nodes share the data node (4 CPU / 16Gi); the old sizes did not fit, named by field', () => {
  const cloud = resolveLabConfig({ profile: 'cloud' });
  const data = fitCheck(cloud).pools.find((p) => p.pool === 'data')!;
  assert.deepEqual(data.workloads.map((w) => [w.name, w.pods]), [['postgres', 3], ['redis', 6]]);
  assert.ok(data.requested.cpu <= data.available.cpu && data.requested.memory <= data.available.memory);
  // what issue 10 found: 3 x (2 CPU / 8Gi) on one 4-core node
  const old = resolveLabConfig({ profile: 'cloud', overrides: { postgres: { resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '3', memory: '12Gi' } } } } });
  const [problem, ...more] = fitCheck(old).problems;
  assert.deepEqual(more, []);
  assert.match(problem!, /^pool data \(postgres 3 x 2 CPU \/ 8Gi, redis 6 x 150m CPU \/ 384Mi\): requests 6\.9 CPU \/ 26\.25Gi but 3\.72 CPU \/ 13\.05Gi is left for them \(cpu short by 3\.18 CPU, memory short by 13\.2Gi\): lower postgres\.resources \/ redis\.resources or raise cluster\.nodes\.data$/);
  // and the way out the message names
  assert.equal(fitCheck({ ...old, cluster: { ...old.cluster, nodes: { ...old.cluster.nodes, data: { cpu: '8', memory: '64Gi', pods: 110 } } } }).fits, true);
});

test('a cloud node keeps some of itself: GKE\'s reservation for 4 CPU / 16Gi is 80m and 2.6Gi + 100Mi', () => {
  const reserved = cloudReserved(4000, 16 * 2 ** 30);
  assert.equal(reserved.cpu, 80);
  assert.equal(Math.round(reserved.memory / 2 ** 20), 2662 + 100);
  const cloud = resolveLabConfig({ profile: 'cloud' });
  assert.deepEqual(nodeAvailable(cloud, 'data'), { cpu: 4000 - 80 - 200, memory: 16 * 2 ** 30 - reserved.memory - 256 * 2 ** 20, pods: 105 });
  // kind and sim nodes keep nothing for themselves (kwok keeps what it registered)
  assert.equal(nodeAvailable(resolveLabConfig({ profile: 'sim' }), 'data').cpu, 8000);
});

test('kind: the five nodes are one host, so the lab must fit it as a whole next to the control plane', () => {
  const small = resolveLabConfig({ overrides: { cluster: { nodes: Object.fromEntries(POOL_NAMES.map((p) => [p, { cpu: '4', memory: '8Gi' }])) } } });
  const fit = fitCheck(small, defaultRun(small));
  assert.equal(fit.fits, false);
  assert.equal(fit.problems.length, 1);
  assert.ok(fit.problems[0]!.startsWith('the kind host (all 5 nodes share cluster.nodes\' 4 CPU / 8Gi): requests '), fit.problems[0]);
  assert.match(fit.problems[0]!, /cpu short by 1\.75 CPU\): lower the requests, or give Docker more CPUs and memory and raise cluster\.nodes$/);
  // the same sizes on sim: kwok nodes share nothing, each pool fits its own node
  const sim = resolveLabConfig({ profile: 'sim', overrides: { cluster: { nodes: small.cluster.nodes } } });
  assert.deepEqual(fitCheck(sim, defaultRun(sim)).problems, []);
});

test('placement none: all pods against all workers', () => {
  const none = resolveLabConfig({ profile: 'cloud', overrides: { cluster: { placement: 'none' }, postgres: { instances: 9, resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } } } } });
  const [problem] = fitCheck(none).problems;
  assert.match(problem!, /^all workers \(placement none: postgres 9 x 2 CPU \/ 8Gi, .*\): requests .* \(cpu short by .*memory short by .*\): lower the requests or raise cluster\.nodes$/);
});

test('k6 runners: several fit the one load node side by side, but not one per node (separate); too many do not fit at all', () => {
  const cloud = resolveLabConfig({ profile: 'cloud' });
  assert.deepEqual(runnersFit(cloud, { count: 2, requests: runnerRequests, separate: false }), []);
  assert.deepEqual(runnersFit(cloud, { count: 2, requests: runnerRequests, separate: true }), [
    '2 runners with separate: true need 2 nodes in pool load (k6Operator.runnerPool), the lab has 1: run them without separate, or with parallelism 1',
  ]);
  assert.deepEqual(runnersFit(cloud, { count: 1, requests: runnerRequests, separate: true }), []);
  // 500m each: 7 fit the 3.72 CPU a cloud node leaves, 8 do not
  assert.deepEqual(runnersFit(cloud, { count: 7, requests: runnerRequests, separate: false }), []);
  const [eight] = runnersFit(cloud, { count: 8, requests: runnerRequests, separate: false });
  assert.match(eight!, /^pool load \(k6 runners 8 x 500m CPU \/ 512Mi\): .*cpu short by 280m CPU.*raise cluster\.nodes\.load$/);
});
