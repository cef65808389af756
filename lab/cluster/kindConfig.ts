// kind's cluster config, built from the node pools: 1 control-plane + one worker per pool.
// kind-config.yaml at the top of the repo is this document rendered (a test keeps them equal),
// so editing pools.ts and re-rendering is the only way the two change.

import { stringify } from 'yaml';
import { KIND } from '../versions.ts';
import { POOL_LABEL, POOL_NAMES, type NodePool } from './pools.ts';

export interface KindNode {
  role: 'control-plane' | 'worker';
  image: string;
  labels?: Record<string, string>;
}

export interface KindCluster {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  name: string;
  nodes: KindNode[];
}

export const DEFAULT_KIND_CLUSTER_NAME = 'perflab';

export function kindConfig(name = DEFAULT_KIND_CLUSTER_NAME, pools: readonly NodePool[] = POOL_NAMES): KindCluster {
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name,
    nodes: [
      { role: 'control-plane', image: KIND.nodeImage },
      ...pools.map((pool): KindNode => ({ role: 'worker', image: KIND.nodeImage, labels: { [POOL_LABEL]: pool } })),
    ],
  };
}

const HEADER = `# Generated from lab/cluster/pools.ts by lab/cluster/kindConfig.ts (npx tsx lab/cluster/kindConfig.ts --write).
# 5 nodes: 1 control-plane and one worker per node pool. Do not edit by hand: a test compares them.
`;

export function renderKindConfig(config: KindCluster = kindConfig()): string {
  return HEADER + stringify(config);
}

/** Pools that some node of a kind config carries. */
export function poolsIn(config: KindCluster): string[] {
  return config.nodes.flatMap((n) => (n.labels?.[POOL_LABEL] ? [n.labels[POOL_LABEL]] : []));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv.includes('--write')) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('../../kind-config.yaml', import.meta.url), renderKindConfig());
}
