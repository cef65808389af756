// The simulated cluster, for real: the pinned control plane (built or reused from .bin/) with 5
// kwok nodes shaped like kind-config.yaml. Nodes are Ready with their pool labels and capacity, the
// scheduler places a Deployment on its pool's node where its pods report Running, a pod too big
// for any node stays Pending for "Insufficient cpu", and stop() (or Ctrl-C during the start)
// leaves no process and no state behind.
//
// Wall time on 2 cores, binaries built: ~17-23 s (the start 9-12 s, the aborted start ~5 s, the
// checks and the stop ~2 s). A first run on a machine builds the binaries first (13-18 min, once).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, VersionApi, type V1Pod } from '@kubernetes/client-node';
import { kindConfig } from '../cluster/kindConfig.ts';
import { nodeSelectorFor, POOL_LABEL } from '../cluster/pools.ts';
import { isRunning } from '../process/supervisor.ts';
import { waitUntil } from '../process/waitUntil.ts';
import { ensureSimBinaries, type SimBinaries } from '../setup/controlPlane.ts';
import { KUBERNETES } from '../versions.ts';
import { addressInCidr, startSimCluster, type SimCluster, type SimNode } from './simCluster.ts';

const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';
const CAPACITY = { cpu: '4', memory: '8Gi', pods: 110 };

/** kind-config.yaml's nodes as sim nodes: the control plane (tainted, as kind's is) and one worker per pool. */
const NODES: SimNode[] = kindConfig().nodes.map((node): SimNode => {
  const pool = node.labels?.[POOL_LABEL];
  return node.role === 'control-plane'
    ? { name: 'perflab-control-plane', labels: { [CONTROL_PLANE_TAINT]: '' }, capacity: CAPACITY, taints: [{ key: CONTROL_PLANE_TAINT, effect: 'NoSchedule' }] }
    : { name: `perflab-worker-${pool}`, labels: { ...node.labels }, capacity: CAPACITY };
});

const root = mkdtempSync(join(tmpdir(), 'perflab-sim-'));
let binaries: SimBinaries;
let cluster: SimCluster;
const lines: string[] = [];
const wait = { timeoutMs: 60_000, maxIntervalMs: 250 };

/** Pids of live processes whose command line names `dir` (what a cluster in that folder runs). */
function processesUsing(dir: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir) && isRunning(pid);
    } catch {
      return false;
    }
  });
}

before(async () => {
  binaries = await ensureSimBinaries((line) => console.log(line));
  const started = Date.now();
  cluster = await startSimCluster({ stateDir: join(root, 'cluster'), nodes: NODES, binaries, log: (line) => lines.push(line) });
  console.log(`sim cluster of ${NODES.length} nodes ready in ${Date.now() - started} ms`);
}, { timeout: 40 * 60_000 });

after(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('addresses of a CIDR', () => {
  assert.equal(addressInCidr('127.96.0.0/16', 1), '127.96.0.1');
  assert.equal(addressInCidr('127.97.3.9/16', 1), '127.97.0.1');
  assert.equal(addressInCidr('10.0.0.0/8', 256), '10.0.1.0');
  assert.throws(() => addressInCidr('127.96.0.0', 1), /not an IPv4 CIDR/);
});

test('every node is Ready with its labels and capacity; the API is v1.36 on loopback', async () => {
  assert.match(cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  const kc = cluster.kubeConfig();
  const version = await kc.makeApiClient(VersionApi).getCode();
  assert.equal(version.gitVersion, KUBERNETES.version);

  const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
  assert.deepEqual(nodes.map((n) => n.metadata?.name).sort(), NODES.map((n) => n.name).sort());
  for (const wanted of NODES) {
    const node = nodes.find((n) => n.metadata?.name === wanted.name)!;
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', wanted.name);
    for (const [key, value] of Object.entries(wanted.labels)) assert.equal(node.metadata?.labels?.[key], value, `${wanted.name} ${key}`);
    assert.deepEqual(
      { cpu: node.status?.capacity?.cpu, memory: node.status?.capacity?.memory, pods: node.status?.capacity?.pods },
      { cpu: '4', memory: '8Gi', pods: '110' },
    );
    assert.equal(node.status?.allocatable?.cpu, '4');
  }
  // the kubeconfig and kubectl work as they would for a user
  const names = execFileSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, '--context', cluster.context, 'get', 'nodes', '-o', 'name'], { encoding: 'utf8' });
  assert.equal(names.trim().split('\n').length, NODES.length);
});

test('a Deployment with a pool nodeSelector runs on that pool\'s node', async () => {
  const kc = cluster.kubeConfig();
  const labels = { app: 'sim-placement' };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'sim-placement' },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          // the image is never pulled: kwok nodes run no containers
          spec: { nodeSelector: nodeSelectorFor('app'), containers: [{ name: 'app', image: 'registry.invalid/app:1', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
        },
      },
    },
  });
  const core = kc.makeApiClient(CoreV1Api);
  let seen = '';
  const pods = await waitUntil('2 pods Running', [], async () => {
    const items = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=sim-placement' })).items;
    seen = items.map((p) => `${p.metadata?.name}: ${p.status?.phase} on ${p.spec?.nodeName ?? '-'}`).join(', ');
    return items.length === 2 && items.every((p) => p.status?.phase === 'Running') && items;
  }, { ...wait, lastProblem: () => seen });
  for (const pod of pods) {
    assert.equal(pod.spec?.nodeName, 'perflab-worker-app');
    assert.match(pod.status?.podIP ?? '', /^127\.97\./);
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  }
});

test('a pod asking for more CPU than any node has stays Pending: Insufficient cpu', async () => {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name: 'sim-too-big' }, spec: { containers: [{ name: 'big', image: 'registry.invalid/big:1', resources: { requests: { cpu: '64' } } }] } },
  });
  let seen = '';
  const pod: V1Pod = await waitUntil('the scheduler to give up on the pod', [], async () => {
    const p = await core.readNamespacedPod({ name: 'sim-too-big', namespace: 'default' });
    const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    seen = `${scheduled?.reason}: ${scheduled?.message}`;
    return scheduled?.reason === 'Unschedulable' && /Insufficient cpu/.test(scheduled.message ?? '') && p;
  }, { ...wait, lastProblem: () => seen });
  assert.equal(pod.status?.phase, 'Pending');
  assert.equal(pod.spec?.nodeName, undefined);
  // 4 workers too small, the control plane tainted: exactly what kind would say
  assert.match(seen, /0\/5 nodes are available/);
});

test('stop() leaves no process and no state', async () => {
  const stateDir = cluster.stateDir;
  assert.ok(cluster.processes.length === 5 && cluster.processes.every((p) => isRunning(p.pid)));
  await cluster.stop();
  assert.deepEqual(cluster.processes.filter((p) => isRunning(p.pid)), []);
  assert.deepEqual(processesUsing(stateDir), []);
  assert.equal(existsSync(stateDir), false);
  await cluster.stop(); // twice is fine
});

test('Ctrl-C during the start stops what was started and removes the state', async () => {
  const stateDir = join(root, 'aborted');
  const abort = new AbortController();
  let pids: number[] = [];
  const start = startSimCluster({
    stateDir, nodes: NODES, binaries, signal: abort.signal,
    log: (line) => {
      if (!line.includes('kube-apiserver ready')) return;
      pids = (JSON.parse(readFileSync(join(stateDir, 'processes.json'), 'utf8')) as Array<{ pid: number }>).map((p) => p.pid);
      abort.abort();
    },
  });
  await assert.rejects(start, /aborted/);
  assert.equal(pids.length, 2, 'etcd and kube-apiserver were running when Ctrl-C came');
  assert.deepEqual(pids.filter(isRunning), []);
  assert.deepEqual(processesUsing(stateDir), []);
  assert.equal(existsSync(stateDir), false);
});
