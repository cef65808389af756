// fitCheck's arithmetic against the real scheduler (issue 10 F9): the sim cluster (lab/sim: a
// v1.36 kube-scheduler with kwok nodes) sized as each profile's cluster.nodes, and every workload
// fitCheck adds up (lab/config/fit.ts labWorkloads: Postgres instances, Redis leaders and
// followers, Prometheus, the target at its HPA ceiling, the operators' chart defaults, k6 runners)
// created as pods with those requests and their pool's nodeSelector.
//
// The nodes follow fit.ts's own model of what a node keeps for itself (allocatable = capacity minus
// GKE's published reservation on cloud; pods that request the per-node system allowance, as the
// provider's DaemonSets would): those numbers are the model's, nothing here can measure a cloud
// node. What the scheduler checks is the rest: that the pods fitCheck counts, on the pools the stacks
// put them on, fit where it says they fit — up to the last runner — and do not where it says not.
//
// Wall time on 2 cores: ~16 s (the cluster ~9 s, each profile: ~45 pods created, placed and removed in ~1-2 s).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { DEFAULT_RUNNER_RESOURCES } from '../../k6-operator/testrun.ts';
import { clusterNodes, nodeSelectorFor, POOL_NAMES } from '../cluster/pools.ts';
import { describePods, eventually, startLabSim, type LabSim } from '../../test/sim/labSim.ts';
import { resolveLabConfig, type LabConfig, type Resources } from './index.ts';
import { cloudReserved, fitCheck, labWorkloads, nodeAvailable, runnerWorkload, type Workload } from './fit.ts';
import { cpuMillis, memoryBytes } from './quantity.ts';

const runnerRequests = DEFAULT_RUNNER_RESOURCES.requests as Resources['requests'];
const SIM = resolveLabConfig({ profile: 'sim' });
let sim: LabSim;

before(async () => {
  sim = await startLabSim(SIM, 'fit');
}, { timeout: 40 * 60_000 });

after(async () => {
  await sim?.stop();
});

/** Sizes each pool's node as the profile says and fills it with its system pods; returns a new namespace for the lab's pods. */
async function nodesAs(config: LabConfig, name: string): Promise<string> {
  for (const node of clusterNodes(config)) {
    const pool = POOL_NAMES.find((p) => node.name === `${config.cluster.name}-${p}`)!;
    const cpu = cpuMillis(node.capacity.cpu)!;
    const memory = memoryBytes(node.capacity.memory)!;
    const reserved = config.profile === 'cloud' ? cloudReserved(cpu, memory) : { cpu: 0, memory: 0 };
    const allocatable = { cpu: cpu - reserved.cpu, memory: Math.floor(memory - reserved.memory) };
    sim.must(['patch', 'node', node.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: {
        capacity: { cpu: `${cpu}m`, memory: String(memory), pods: node.capacity.pods },
        allocatable: { cpu: `${allocatable.cpu}m`, memory: String(allocatable.memory), pods: node.capacity.pods },
      },
    })]);
    // the per-node system pods fit.ts allows for: what allocatable leaves beyond nodeAvailable
    const available = nodeAvailable(config, pool);
    const system = { cpu: allocatable.cpu - available.cpu, memory: Math.ceil(allocatable.memory - available.memory), pods: Number(node.capacity.pods) - available.pods };
    for (let i = 0; i < system.pods; i++) {
      const requests: Record<string, string> = i === 0 ? { cpu: `${system.cpu}m`, memory: String(system.memory) } : {};
      await createPod('kube-system', `system-${config.profile}-${pool}-${i}`, { 'kubernetes.io/hostname': node.name }, requests, { system: config.profile });
    }
  }
  const namespace = `fit-${name}`;
  sim.must(['create', 'namespace', namespace]);
  return namespace;
}

async function createPod(namespace: string, name: string, nodeSelector: Record<string, string>, requests: Record<string, string>, labels: Record<string, string>) {
  await sim.core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels },
      // never pulled: kwok nodes run no containers
      spec: { nodeSelector, containers: [{ name: 'c', image: 'registry.invalid/fit:1', resources: { requests } }] },
    },
  });
}

/** Every workload as pods with its requests on its pool (placement pools); returns how many. */
async function createWorkloads(namespace: string, workloads: readonly Workload[], from = 0): Promise<number> {
  let count = 0;
  for (const w of workloads) {
    for (let i = from; i < from + w.pods; i++) {
      await createPod(namespace, `${w.name.replace(/[^a-z0-9]+/g, '-')}-${i}`, nodeSelectorFor(w.pool), { cpu: w.requests.cpu, memory: w.requests.memory }, { workload: w.name.replace(/[^a-z0-9]+/g, '-'), pool: w.pool });
      count++;
    }
  }
  return count;
}

/** Waits until the scheduler has decided on all `count` pods: bound, or given up (Unschedulable). */
async function decided(namespace: string, count: number): Promise<{ bound: V1Pod[]; pending: V1Pod[] }> {
  return eventually(`the scheduler's decision on ${count} pods in ${namespace}`, async () => {
    const pods = (await sim.core.listNamespacedPod({ namespace })).items;
    const bound = pods.filter((p) => p.spec?.nodeName);
    const pending = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'));
    const done = pods.length === count && bound.length + pending.length === count;
    return { value: done ? { bound, pending } : undefined, saw: `${pods.length} pods: ${bound.length} bound, ${pending.length} unschedulable` };
  });
}

/** Removes the pods at once (the next test needs the nodes empty; no container runs to stop); the namespace may stay. */
async function cleanUp(config: LabConfig, namespace: string) {
  const sets = [{ namespace, labelSelector: undefined }, { namespace: 'kube-system', labelSelector: `system=${config.profile}` }];
  for (const set of sets) await sim.core.deleteCollectionNamespacedPod({ ...set, gracePeriodSeconds: 0 });
  await eventually('the pods gone', async () => {
    const left = (await Promise.all(sets.map(async (set) => (await sim.core.listNamespacedPod(set)).items.length))).reduce((a, b) => a + b, 0);
    return { value: left === 0 || undefined, saw: `${left} pods left` };
  });
}

/** The most runners fitCheck says the runner pool takes next to the lab. */
function mostRunners(config: LabConfig): number {
  let n = 0;
  while (fitCheck(config, [runnerWorkload(config, n + 1, runnerRequests)]).fits) n++;
  return n;
}

for (const profile of ['sim', 'cloud'] as const) {
  test(`${profile}: every workload fitCheck counts is placed on its pool's node by the real scheduler, and so are as many runners as it allows — one more stays Pending for Insufficient cpu (F9)`, async () => {
    const config = resolveLabConfig({ profile });
    assert.equal(config.cluster.placement, 'pools');
    const most = mostRunners(config);
    assert.equal(most, profile === 'cloud' ? 7 : 16, 'what fitCheck allows on the load node (500m runners)');
    const workloads = labWorkloads(config, [runnerWorkload(config, most, runnerRequests)]);
    assert.equal(fitCheck(config, [runnerWorkload(config, most, runnerRequests)]).fits, true);

    const namespace = await nodesAs(config, profile);
    try {
      const count = await createWorkloads(namespace, workloads);
      const { bound, pending } = await decided(namespace, count);
      assert.deepEqual(pending, [], describePods(pending));
      for (const pod of bound) assert.equal(pod.spec?.nodeName, `${config.cluster.name}-${pod.metadata?.labels?.pool}`, describePods([pod]));
      assert.deepEqual([...new Set(bound.map((p) => p.metadata?.labels?.workload))].sort(), workloads.map((w) => w.name.replace(/[^a-z0-9]+/g, '-')).sort());

      // one runner more than fitCheck allows: it says why, and the scheduler agrees
      const over = fitCheck(config, [runnerWorkload(config, most + 1, runnerRequests)]);
      assert.equal(over.fits, false);
      assert.match(over.problems.join('\n'), /^pool load \(k6 runners \d+ x 500m CPU \/ 512Mi\): .*cpu short by/m);
      await createWorkloads(namespace, [runnerWorkload(config, 1, runnerRequests)], most);
      const after = await decided(namespace, count + 1);
      assert.equal(after.pending.length, 1, describePods(after.pending));
      assert.match(describePods(after.pending), /k6-runners-\d+ Pending on - \(Unschedulable: 0\/5 nodes are available: .*1 Insufficient cpu/);
    } finally {
      await cleanUp(config, namespace);
    }
  });
}

test('cloud with the old Postgres sizes (3 x 2 CPU / 8Gi, issue 10): fitCheck refuses it, and the real scheduler leaves two instances Pending for Insufficient cpu and memory (F9)', async () => {
  const old = resolveLabConfig({ profile: 'cloud', overrides: { postgres: { resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '3', memory: '12Gi' } } } } });
  const fit = fitCheck(old);
  assert.equal(fit.fits, false);
  assert.match(fit.problems.join('\n'), /^pool data \(postgres 3 x 2 CPU \/ 8Gi, redis 6 x 150m CPU \/ 384Mi\): .*lower postgres\.resources/m);
  const namespace = await nodesAs(old, 'cloud-old-postgres');
  try {
    const workloads = labWorkloads(old).filter((w) => w.pool === 'data');
    const count = await createWorkloads(namespace, workloads);
    const { bound, pending } = await decided(namespace, count);
    // 3.72 CPU left on the data node: the six Redis nodes (0.9) and one instance (2) fit, whatever the order
    assert.deepEqual(bound.map((p) => p.metadata?.labels?.workload).sort(), ['postgres', ...Array(6).fill('redis')]);
    assert.equal(pending.length, 2, describePods(pending));
    for (const pod of pending) {
      assert.equal(pod.metadata?.labels?.workload, 'postgres');
      assert.match(describePods([pod]), /Unschedulable: 0\/5 nodes are available: .*1 Insufficient cpu, 1 Insufficient memory/);
    }
  } finally {
    await cleanUp(old, namespace);
  }
});
