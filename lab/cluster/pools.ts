// The lab's node pools: one source of truth for where things run.
//
// kind-config.yaml labels one worker per pool with these labels; the stacks, the Helm values and
// the k6-operator TestRun builder put pods onto a pool with `nodeSelectorFor(pool)`. A pool named
// anywhere else that is not here is a bug (tested). `clusterNodes(config)` lists the lab's workers
// (one per pool, sized by the config): the simulated cluster creates exactly these.

import type { LabConfig } from '../config/types.ts';

/** Node label key that names a node's pool. */
export const POOL_LABEL = 'perflab.dev/pool';

export const NODE_POOLS = {
  /** Postgres primary + standbys and the Redis cluster. */
  data: { description: 'Postgres (CloudNativePG) and the Redis cluster' },
  /** the service under test. */
  app: { description: 'the target service under test' },
  /** k6 runners (TestRun runner, starter and initializer pods). */
  load: { description: 'k6 runners, so load generation never competes with the target' },
  /** Prometheus, Alertmanager, Grafana and the operators. */
  monitoring: { description: 'Prometheus, Alertmanager, Grafana and the operators' },
} as const;

export type NodePool = keyof typeof NODE_POOLS;

export const POOL_NAMES = Object.keys(NODE_POOLS) as NodePool[];

export function isNodePool(name: string): name is NodePool {
  return Object.hasOwn(NODE_POOLS, name);
}

/** The nodeSelector that schedules a pod onto a pool. */
export function nodeSelectorFor(pool: NodePool): Record<string, string> {
  return { [POOL_LABEL]: pool };
}

/** A worker node of the lab as a cluster would register it: name, labels and capacity (quantities as strings). */
export interface ClusterNode {
  name: string;
  labels: Record<string, string>;
  capacity: { cpu: string; memory: string; pods: string };
}

/**
 * The lab's worker nodes: one per pool, named `<cluster.name>-<pool>`, with the labels a kubelet
 * sets (hostname, os, arch: charts select on `kubernetes.io/os`, spreading uses the hostname) and
 * the pool label, sized by `cluster.nodes`. The control plane is not listed: it runs none of the
 * lab's pods (tainted on kind, hidden on managed clusters, processes on the simulated cluster).
 */
export function clusterNodes(config: LabConfig): ClusterNode[] {
  return POOL_NAMES.map((pool) => {
    const name = `${config.cluster.name}-${pool}`;
    const size = config.cluster.nodes[pool];
    return {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', [POOL_LABEL]: pool },
      capacity: { cpu: size.cpu, memory: size.memory, pods: String(size.pods) },
    };
  });
}
