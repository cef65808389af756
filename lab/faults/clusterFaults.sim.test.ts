// The cluster target's faults against a real API server (the sim cluster, lab/sim: kube-apiserver,
// controller-manager and scheduler with kwok nodes): that each kind finds the right object by the
// labels the operators put on it, deletes (or scales) exactly that, and reads recovery from the
// right status fields.
//
// No operator runs here, so stand-ins, named as such, take their place: the Cluster
// (postgresql.cnpg.io/v1) and RedisCluster (redis.redis.opstreelabs.in/v1beta2) CRDs are minimal
// ones made here (no upstream schema), their pods come from StatefulSets labelled as CloudNativePG
// and the OT operator label theirs (the StatefulSet controller recreates a deleted pod, as the
// operators would), the operators' status is written by the test, and a stand-in Prometheus
// answers the one redis_instance_info query. What could not run: a real CloudNativePG failover and
// promotion, a real Redis Cluster failover, the k6-operator's Job replacing a deleted runner pod,
// and the lab checks from a real cluster's Prometheus (lab/run/clusterLabChecks.test.ts judges them
// on recorded values). The Deployment scale down and up is the real controller's, with kwok's pods.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { resolveLabConfig } from '../config/index.ts';
import { clusterTargetService } from '../cluster/names.ts';
import { eventually, installCrds, startLabSim, writeObjects, type LabSim } from '../../test/sim/labSim.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import { clusterFaultDriver, CNPG_CLUSTER, OT_REDIS_CLUSTER } from './clusterFaults.ts';
import { parseFaultSpec } from './kinds.ts';
import type { FaultDriver } from './driver.ts';

const config = resolveLabConfig({ profile: 'sim' });
const ns = config.namespaces;
const TESTRUN = 'soak-261201-faults';
let sim: LabSim;
let promServer: Server;
let masterPod: string | undefined;
let driver: (prometheusUrl?: string) => FaultDriver;

function crd(group: string, version: string, kind: string, plural: string): object {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, annotations: { 'perflab/stand-in': 'minimal CRD for the fault tests, not the operator\'s' } },
    spec: {
      group, scope: 'Namespaced', names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: version, served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

function statefulSet(namespace: string, name: string, replicas: number, labels: Record<string, string>): object {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace, labels: { 'perflab/stand-in': 'operator' } },
    spec: {
      replicas, serviceName: name, podManagementPolicy: 'Parallel', selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'stand-in' }] } },
    },
  };
}

async function setStatus(crdRef: typeof CNPG_CLUSTER | typeof OT_REDIS_CLUSTER, name: string, status: Record<string, unknown>): Promise<void> {
  const custom = sim.kc.makeApiClient(CustomObjectsApi);
  const current = await custom.getNamespacedCustomObject({ ...crdRef, namespace: ns.data, name }) as { metadata: { resourceVersion: string } };
  await custom.replaceNamespacedCustomObjectStatus({ ...crdRef, namespace: ns.data, name, body: { ...current, status } });
}

const podsOf = async (namespace: string, selector: string): Promise<V1Pod[]> => (await sim.core.listNamespacedPod({ namespace, labelSelector: selector })).items;
const readyPods = async (namespace: string, selector: string, n: number) => eventually(`${n} Ready pods ${selector}`, async () => {
  const pods = await podsOf(namespace, selector);
  const ready = pods.filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  return { value: ready.length >= n ? ready : undefined, saw: `${ready.length} of ${pods.length} ready` };
});

before(async () => {
  sim = await startLabSim(config, 'faults');
  // a Prometheus stand-in answering the one query the Redis kind asks: which pod Redis calls master
  promServer = createServer((req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams.get('query') ?? '';
    const result = q.startsWith('redis_instance_info') && masterPod ? [{ metric: { pod: masterPod, role: 'master' }, value: [Date.now() / 1000, '1'] }] : [];
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  await new Promise<void>((resolve) => promServer.listen(0, '127.0.0.1', resolve));
  const promUrl = `http://127.0.0.1:${(promServer.address() as AddressInfo).port}`;
  for (const namespace of new Set([ns.data, ns.app, ns.load])) sim.must(['create', 'namespace', namespace]);
  await installCrds(sim, [writeObjects(sim, 'crds.yaml', [
    crd(CNPG_CLUSTER.group, CNPG_CLUSTER.version, 'Cluster', CNPG_CLUSTER.plural),
    crd(OT_REDIS_CLUSTER.group, OT_REDIS_CLUSTER.version, 'RedisCluster', OT_REDIS_CLUSTER.plural),
  ])]);
  const pg = config.postgres.clusterName;
  const redis = config.redis.clusterName;
  const target = clusterTargetService(config);
  sim.must(['apply', '-f', writeObjects(sim, 'lab.yaml', [
    { apiVersion: `${CNPG_CLUSTER.group}/${CNPG_CLUSTER.version}`, kind: 'Cluster', metadata: { name: pg, namespace: ns.data }, spec: { instances: 3 } },
    { apiVersion: `${OT_REDIS_CLUSTER.group}/${OT_REDIS_CLUSTER.version}`, kind: 'RedisCluster', metadata: { name: redis, namespace: ns.data }, spec: { clusterSize: 3 } },
    statefulSet(ns.data, `${pg}-primary-stand-in`, 1, { 'cnpg.io/cluster': pg, 'cnpg.io/instanceRole': 'primary' }),
    statefulSet(ns.data, `${pg}-replica-stand-in`, 2, { 'cnpg.io/cluster': pg, 'cnpg.io/instanceRole': 'replica' }),
    statefulSet(ns.data, `${redis}-leader`, 3, { app: `${redis}-leader`, role: 'leader', redis_setup_type: 'cluster' }),
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: target, namespace: ns.app },
      spec: { replicas: 2, selector: { matchLabels: { app: 'target-stand-in' } }, template: { metadata: { labels: { app: 'target-stand-in' } }, spec: { containers: [{ name: 'api', image: 'stand-in' }] } } },
    },
    ...[1, 2].map((i) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `${TESTRUN}-${i}-abcde`, namespace: ns.load, labels: { app: 'k6', k6_cr: TESTRUN, runner: 'true', 'job-name': `${TESTRUN}-${i}` } },
      spec: { containers: [{ name: 'k6', image: 'stand-in' }] },
    })),
  ])]);
  await setStatus(CNPG_CLUSTER, pg, { instances: 3, readyInstances: 3, currentPrimary: `${pg}-primary-stand-in-0`, phase: 'Cluster in healthy state' });
  await setStatus(OT_REDIS_CLUSTER, redis, { state: 'Ready', readyLeaderReplicas: 3, readyFollowerReplicas: 3 });
  await Promise.all([
    readyPods(ns.data, `cnpg.io/cluster=${pg}`, 3), readyPods(ns.data, `app=${redis}-leader`, 3),
    readyPods(ns.app, 'app=target-stand-in', 2), readyPods(ns.load, `k6_cr=${TESTRUN}`, 2),
  ]);
  driver = (prometheusUrl = promUrl) => clusterFaultDriver({
    kubeConfig: sim.kc, config, prometheus: new PrometheusClient(prometheusUrl, 2000), testRunName: TESTRUN, loadNamespace: ns.load, parallelism: 2,
    checks: async () => [], scaleDownTimeoutMs: 30_000,
  });
}, { timeout: 40 * 60_000 });

after(async () => {
  promServer?.close();
  await sim?.stop();
});

/** Waits until the driver says the part is back, returning what it said last. */
async function healed(d: FaultDriver, text: string, injection: Awaited<ReturnType<FaultDriver['inject']>>): Promise<string> {
  return eventually(`${text} healed`, async () => {
    const h = await d.healing(parseFaultSpec(text), injection);
    return { value: h.healed ? h.detail : undefined, saw: h.detail };
  }, 30_000);
}

test('pg-replica-kill deletes a CloudNativePG replica\'s pod; back when recreated Ready and the Cluster says every instance ready', async () => {
  const pg = config.postgres.clusterName;
  const d = driver();
  const before = await podsOf(ns.data, `cnpg.io/cluster=${pg},cnpg.io/instanceRole=replica`);
  const hit = await d.inject(parseFaultSpec('pg-replica-kill@1s'));
  const victim = before.map((p) => p.metadata!.name!).sort()[0]!;
  assert.equal(hit.target, `pod ${victim} (replica)`);
  assert.match(hit.detail, new RegExp(`deleted pod ${ns.data}/${victim} \\(uid ${before.find((p) => p.metadata?.name === victim)!.metadata!.uid}\\)`));
  // the operator stand-in: one instance short until it is back
  await setStatus(CNPG_CLUSTER, pg, { instances: 3, readyInstances: 2, currentPrimary: `${pg}-primary-stand-in-0`, phase: 'Waiting for the instances to become active' });
  const meanwhile = await d.healing(parseFaultSpec('pg-replica-kill@1s'), hit);
  assert.equal(meanwhile.healed, false);
  await readyPods(ns.data, `cnpg.io/cluster=${pg},cnpg.io/instanceRole=replica`, 2);
  const waiting = await d.healing(parseFaultSpec('pg-replica-kill@1s'), hit);
  assert.equal(waiting.healed, false, 'healed while the Cluster says 2/3 instances ready');
  assert.match(waiting.detail, /2\/3 instances ready/);
  await setStatus(CNPG_CLUSTER, pg, { instances: 3, readyInstances: 3, currentPrimary: `${pg}-primary-stand-in-0`, phase: 'Cluster in healthy state' });
  assert.match(await healed(d, 'pg-replica-kill@1s', hit), new RegExp(`pod ${victim} recreated \\(uid .*\\) and Ready; Cluster ${pg}: 3/3 instances ready`));
  assert.equal((await podsOf(ns.data, `cnpg.io/cluster=${pg},cnpg.io/instanceRole=primary`))[0]!.metadata!.uid !== undefined, true);
});

test('pg-primary-kill deletes the primary\'s pod (cnpg.io/instanceRole=primary) and reads the failover from status.currentPrimary', async () => {
  const pg = config.postgres.clusterName;
  const d = driver();
  const [primary] = await podsOf(ns.data, `cnpg.io/cluster=${pg},cnpg.io/instanceRole=primary`);
  const replicasBefore = (await podsOf(ns.data, `cnpg.io/cluster=${pg},cnpg.io/instanceRole=replica`)).map((p) => p.metadata!.uid);
  const hit = await d.inject(parseFaultSpec('pg-primary-kill@1s'));
  assert.equal(hit.target, `pod ${primary!.metadata!.name} (primary)`);
  assert.deepEqual((await podsOf(ns.data, `cnpg.io/cluster=${pg},cnpg.io/instanceRole=replica`)).map((p) => p.metadata!.uid), replicasBefore, 'a replica was hit');
  await setStatus(CNPG_CLUSTER, pg, { instances: 3, readyInstances: 3, currentPrimary: `${pg}-replica-stand-in-0`, phase: 'Cluster in healthy state' });
  assert.match(await healed(d, 'pg-primary-kill@1s', hit), /primary pg?.*replica-stand-in-0 \(was .*primary-stand-in-0: failed over\)$/);
});

test('redis-primary-kill deletes the pod Redis itself calls master (Prometheus), else the first role=leader pod; back when the RedisCluster is Ready', async () => {
  const redis = config.redis.clusterName;
  masterPod = `${redis}-leader-1`;
  const d = driver();
  const uid = (await podsOf(ns.data, `app=${redis}-leader`)).find((p) => p.metadata?.name === masterPod)!.metadata!.uid;
  const hit = await d.inject(parseFaultSpec('redis-primary-kill@1s'));
  assert.equal(hit.target, `pod ${masterPod} (primary: redis_instance_info role="master")`);
  assert.match(hit.detail, new RegExp(`uid ${uid}`));
  await setStatus(OT_REDIS_CLUSTER, redis, { state: 'Initializing', readyLeaderReplicas: 2, readyFollowerReplicas: 3 });
  await readyPods(ns.data, `app=${redis}-leader`, 3);
  assert.equal((await d.healing(parseFaultSpec('redis-primary-kill@1s'), hit)).healed, false, 'healed while the operator says Initializing');
  await setStatus(OT_REDIS_CLUSTER, redis, { state: 'Ready', readyLeaderReplicas: 3, readyFollowerReplicas: 3 });
  assert.match(await healed(d, 'redis-primary-kill@1s', hit), /RedisCluster .*: state Ready, leaders 3\/3, followers 3\/3/);

  // no answer from Prometheus: the operator's label
  const fallback = await driver('http://127.0.0.1:9').inject(parseFaultSpec('redis-primary-kill@1s'));
  assert.equal(fallback.target, `pod ${redis}-leader-0 (primary: role=leader label)`);
  await readyPods(ns.data, `app=${redis}-leader`, 3);
});

test('target-restart scales the target Deployment to 0 and back to its replicas; back when they are ready again', async () => {
  const d = driver();
  const before = (await podsOf(ns.app, 'app=target-stand-in')).map((p) => p.metadata!.name).sort();
  const hit = await d.inject(parseFaultSpec('target-restart@1s'));
  assert.equal(hit.target, `deployment ${ns.app}/${clusterTargetService(config)}`);
  assert.equal(hit.detail, 'scaled to 0 (every pod gone), then back to 2');
  assert.match(await healed(d, 'target-restart@1s', hit), /2\/2 replicas ready/);
  const after = (await readyPods(ns.app, 'app=target-stand-in', 2)).map((p) => p.metadata!.name).sort();
  assert.ok(after.every((name) => !before.includes(name)), 'the same pods: nothing was restarted');
});

test('runner-kill deletes the last runner\'s pod (k6_cr, runner=true, job-name); unsupported kinds are refused', async () => {
  const d = driver();
  const hit = await d.inject(parseFaultSpec('runner-kill@1s'));
  assert.equal(hit.runner, 2);
  assert.equal(hit.target, `k6 runner 2 (pod ${TESTRUN}-2-abcde)`);
  await eventually('runner 2\'s pod gone', async () => {
    const left = (await podsOf(ns.load, `k6_cr=${TESTRUN}`)).map((p) => p.metadata!.name);
    return { value: left.length === 1 ? left : undefined, saw: left.join(', ') };
  });
  assert.deepEqual((await podsOf(ns.load, `k6_cr=${TESTRUN}`)).map((p) => p.metadata!.name), [`${TESTRUN}-1-abcde`]);
  await assert.rejects(d.inject(parseFaultSpec('pg-replica-pause@1s+5s')), /the cluster target does not inject pg-replica-pause/);
});
