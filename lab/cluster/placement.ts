// Where a workload runs: the pool's nodeSelector, or nothing when the config turns placement off.

import type { LabConfig } from '../config/types.ts';
import { nodeSelectorFor, type NodePool } from './pools.ts';

export function placementFor(config: LabConfig, pool: NodePool): Record<string, string> {
  return config.cluster.placement === 'pools' ? nodeSelectorFor(pool) : {};
}
