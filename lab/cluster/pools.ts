// The lab's node pools: one source of truth for where things run.
//
// kind-config.yaml labels one worker per pool with these labels; the stacks, the Helm values and
// the k6-operator TestRun builder put pods onto a pool with `nodeSelectorFor(pool)`. A pool named
// anywhere else that is not here is a bug (tested).

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
