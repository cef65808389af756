// Whether the lab fits its nodes: the pods each pool runs and what they request, against what a
// node of the pool (cluster.nodes) leaves for them. The scheduler's arithmetic: requests, not
// limits, per node. Pure; lab-up warns with it, the tests check both profiles with it.

import type { LabConfig } from './types.ts';
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from './quantity.ts';
import { CHART_DEFAULT_REQUESTS } from '../cluster/values/chartKeys.ts';
import { HPA_HEADROOM } from '../cluster/values/targetApi.ts';
import { clusterNodes, POOL_NAMES, type NodePool } from '../cluster/pools.ts';

export interface Requests {
  cpu: string;
  memory: string;
}

/** Pods of one kind on one pool, each requesting `requests`; `field` is the config field that sizes them. */
export interface Workload {
  name: string;
  pool: NodePool;
  pods: number;
  requests: Requests;
  field: string;
}

/** An amount of node resources: millicores, bytes, pods. */
export interface Amount {
  cpu: number;
  memory: number;
  pods: number;
}

/**
 * The pods the lab's releases run, at their most: Postgres instances, Redis leaders and followers,
 * Prometheus, the target at its HPA ceiling (replicas x HPA_HEADROOM, what a spike test scales to),
 * the operators the charts size themselves. Grafana, Alertmanager, kube-state-metrics, the
 * prometheus-operator, node-exporter and the CloudNativePG operator request nothing by default.
 * `extra`: more, such as a run's k6 runners.
 */
export function labWorkloads(config: LabConfig, extra: readonly Workload[] = []): Workload[] {
  const r = config.redis;
  return [
    { name: 'postgres', pool: config.postgres.pool, pods: config.postgres.instances, requests: config.postgres.resources.requests, field: 'postgres.resources' },
    { name: 'redis', pool: r.pool, pods: r.shards * (1 + r.replicasPerShard), requests: r.resources.requests, field: 'redis.resources' },
    { name: 'prometheus', pool: config.monitoring.pool, pods: 1, requests: config.monitoring.prometheusResources.requests, field: 'monitoring.prometheusResources' },
    { name: 'target', pool: config.target.pool, pods: config.target.replicas * HPA_HEADROOM, requests: config.target.resources.requests, field: 'target.resources' },
    { name: 'redis-operator', pool: config.monitoring.pool, pods: 1, requests: CHART_DEFAULT_REQUESTS.redisOperator, field: 'the redis-operator chart default' },
    { name: 'k6-operator', pool: config.k6Operator.pool, pods: 1, requests: CHART_DEFAULT_REQUESTS.k6Operator, field: 'the k6-operator chart default' },
    ...extra,
  ];
}

/** The k6 runners of a run: `count` pods on the runner pool. */
export function runnerWorkload(config: LabConfig, count: number, requests: Requests): Workload {
  return { name: 'k6 runners', pool: config.k6Operator.runnerPool, pods: count, requests, field: 'the run\'s runner resources' };
}

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/**
 * What a managed cloud node keeps for itself, after GKE's published reservation (CPU: 6 % of the
 * first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above; memory: 25 % of the first 4 GiB,
 * 20 % of the next 4, 10 % of the next 8, 6 % up to 128 GiB, 2 % above, + 100 MiB eviction
 * threshold). Other providers reserve about as much; a node's own `kubectl describe node` says.
 */
export function cloudReserved(cpu: number, memory: number): { cpu: number; memory: number } {
  const bands = (total: number, steps: Array<[size: number, share: number]>) => {
    let left = total;
    let kept = 0;
    for (const [size, share] of steps) {
      const part = Math.min(left, size);
      kept += part * share;
      left -= part;
    }
    return kept;
  };
  return {
    cpu: bands(cpu, [[1000, 0.06], [1000, 0.01], [2000, 0.005], [Infinity, 0.0025]]),
    memory: bands(memory, [[4 * GIB, 0.25], [4 * GIB, 0.2], [8 * GIB, 0.1], [112 * GIB, 0.06], [Infinity, 0.02]]) + 100 * MIB,
  };
}

/** Per-node system pods (DaemonSets) by profile: what they request, and how many pods they are. */
const NODE_SYSTEM: Record<LabConfig['profile'], Amount> = {
  // kindnet (100m / 50Mi), kube-proxy and node-exporter (no requests)
  kind: { cpu: 100, memory: 50 * MIB, pods: 3 },
  // kube-proxy, the CNI, a log agent: an allowance, managed clusters differ
  cloud: { cpu: 200, memory: 256 * MIB, pods: 5 },
  // kwok nodes run no kubelet: only node-exporter (no requests)
  sim: { cpu: 0, memory: 0, pods: 1 },
};

/**
 * On kind all nodes are containers on one host, each reporting the host's CPUs and memory: the
 * lab also has to fit the host as a whole, next to the control plane's pods (kube-apiserver 250m,
 * controller-manager 200m, scheduler 100m, etcd 100m / 100Mi, 2 coredns 100m / 70Mi, kindnet).
 */
const KIND_CONTROL_PLANE: Amount = { cpu: 250 + 200 + 100 + 100 + 2 * 100 + 100, memory: (100 + 2 * 70 + 50) * MIB, pods: 8 };

/** What a node of this pool leaves for the lab's pods (capacity minus reservation and system pods). */
export function nodeAvailable(config: LabConfig, pool: NodePool): Amount {
  const size = config.cluster.nodes[pool];
  const cpu = cpuMillis(size.cpu) ?? 0;
  const memory = memoryBytes(size.memory) ?? 0;
  const reserved = config.profile === 'cloud' ? cloudReserved(cpu, memory) : { cpu: 0, memory: 0 };
  const system = NODE_SYSTEM[config.profile];
  return { cpu: cpu - reserved.cpu - system.cpu, memory: memory - reserved.memory - system.memory, pods: size.pods - system.pods };
}

const sum = (workloads: readonly Workload[]): Amount => workloads.reduce(
  (acc, w) => ({
    cpu: acc.cpu + w.pods * (cpuMillis(w.requests.cpu) ?? 0),
    memory: acc.memory + w.pods * (memoryBytes(w.requests.memory) ?? 0),
    pods: acc.pods + w.pods,
  }),
  { cpu: 0, memory: 0, pods: 0 },
);

const amount = (a: Pick<Amount, 'cpu' | 'memory'>) => `${formatCpu(a.cpu)} / ${formatMemory(a.memory)}`;
const each = (w: Workload) => `${w.name} ${w.pods} x ${formatCpu(cpuMillis(w.requests.cpu) ?? 0)} / ${formatMemory(memoryBytes(w.requests.memory) ?? 0)}`;

export interface PoolFit {
  pool: NodePool;
  /** what the pool's node leaves for the lab's pods. */
  available: Amount;
  /** what the pods placed on it request. */
  requested: Amount;
  workloads: Workload[];
}

export interface FitReport {
  fits: boolean;
  pools: PoolFit[];
  /** one line per thing that does not fit, naming the config fields that decide it. */
  problems: string[];
}

/**
 * Whether the lab's requests fit its nodes (`cluster.nodes`, one worker per pool): per pool, the
 * pods placed there against what one node leaves for them; with `cluster.placement: none`, all
 * pods against all workers; on kind also against the one host all nodes share. `extra` adds
 * workloads (a run's runners: `runnerWorkload`).
 */
export function fitCheck(config: LabConfig, extra: readonly Workload[] = []): FitReport {
  const workloads = labWorkloads(config, extra);
  const problems: string[] = [];
  const pools = POOL_NAMES.map((pool): PoolFit => {
    const placed = workloads.filter((w) => w.pool === pool);
    return { pool, available: nodeAvailable(config, pool), requested: sum(placed), workloads: placed };
  });
  const over = (what: string, requested: Amount, available: Amount, fix: string) => {
    const short = [
      requested.cpu > available.cpu ? `cpu short by ${formatCpu(requested.cpu - available.cpu)}` : '',
      requested.memory > available.memory ? `memory short by ${formatMemory(requested.memory - available.memory)}` : '',
      requested.pods > available.pods ? `${requested.pods - available.pods} pods over the node's maxPods` : '',
    ].filter(Boolean);
    if (short.length > 0) problems.push(`${what}: requests ${amount(requested)} but ${amount(available)} is left for them (${short.join(', ')}): ${fix}`);
  };
  if (config.cluster.placement === 'pools') {
    for (const p of pools) {
      if (p.workloads.length === 0) continue;
      over(`pool ${p.pool} (${p.workloads.map(each).join(', ')})`, p.requested, p.available,
        `lower ${[...new Set(p.workloads.map((w) => w.field))].join(' / ')} or raise cluster.nodes.${p.pool}`);
    }
  } else {
    const all = pools.reduce((a, p) => ({ cpu: a.cpu + p.available.cpu, memory: a.memory + p.available.memory, pods: a.pods + p.available.pods }), { cpu: 0, memory: 0, pods: 0 });
    over(`all workers (placement none: ${workloads.map(each).join(', ')})`, sum(workloads), all, 'lower the requests or raise cluster.nodes');
  }
  if (config.profile === 'kind') {
    // every kind node reports the host; they all share it with the control plane
    const host = nodeAvailable(config, POOL_NAMES[0]!);
    const nodes = clusterNodes(config).length + 1;
    const system = { cpu: KIND_CONTROL_PLANE.cpu + (nodes - 1) * NODE_SYSTEM.kind.cpu, memory: KIND_CONTROL_PLANE.memory + (nodes - 1) * NODE_SYSTEM.kind.memory, pods: 0 };
    const total = sum(workloads);
    const hostAvailable = { cpu: host.cpu + NODE_SYSTEM.kind.cpu - system.cpu, memory: host.memory + NODE_SYSTEM.kind.memory - system.memory, pods: Infinity };
    over(`the kind host (all ${nodes} nodes share cluster.nodes' ${config.cluster.nodes[POOL_NAMES[0]!].cpu} CPU / ${config.cluster.nodes[POOL_NAMES[0]!].memory})`, total, hostAvailable,
      'lower the requests, or give Docker more CPUs and memory and raise cluster.nodes');
  }
  return { fits: problems.length === 0, pools, problems };
}

/**
 * Whether `count` k6 runners fit the runner pool. With `separate` (the operator's one runner per
 * node, a required hostname anti-affinity) they need as many nodes as runners: the lab has one
 * worker per pool, so more than one separate runner stays Pending. Without it, their requests
 * must fit next to whatever else runs on that pool.
 */
export function runnersFit(config: LabConfig, runners: { count: number; requests: Requests; separate: boolean }): string[] {
  const pool = config.k6Operator.runnerPool;
  const nodes = clusterNodes(config).filter((n) => n.name.endsWith(`-${pool}`)).length;
  const problems: string[] = [];
  if (runners.separate && runners.count > nodes) {
    problems.push(`${runners.count} runners with separate: true need ${runners.count} nodes in pool ${pool} (k6Operator.runnerPool), the lab has ${nodes}: run them without separate, or with parallelism ${nodes}`);
  }
  const fit = fitCheck(config, [runnerWorkload(config, runners.count, runners.requests)]);
  problems.push(...fit.problems.filter((p) => p.includes('k6 runners')));
  return problems;
}
