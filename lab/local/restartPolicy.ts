// How the local lab keeps its processes running once it is ready, as Kubernetes' restart policies
// keep the cluster lab's pods running (lab/process/supervisor.ts keepRunning): every server of the
// lab is started again when it dies, the k6 runners never (the k6-operator runs each as a Job that
// is not restarted either).
//
// Redis nodes wait longer than the rest. They run without persistence (a cache, re-created every
// run), and Redis' replication docs warn that such an instance must not be restarted automatically
// before its replica has taken over: a primary restarted within cluster-node-timeout comes back as
// an empty primary of its slots, and its replica then copies the empty data set. So a Redis node
// is started again only after three node timeouts (9 s; the failover itself takes 5-6 s here: 3 s
// to suspect the node, then the vote and the replica's election delay), and rejoins as a replica of
// the node that replaced it. Postgres needs no such wait: a restarted standby streams again from
// its replication slot on the primary.

import type { RestartPolicy } from '../process/supervisor.ts';
import { REDIS_CLUSTER_NODE_TIMEOUT_MS } from './redisCluster.ts';

/** Every lab server but Redis: 1 s, doubling to 30 s, given up after 5 restarts in a run. */
export const LAB_RESTART_POLICY: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000, maxRestarts: 5 };

/** Redis nodes: not before their replica has been promoted (see above). */
export const REDIS_RESTART_POLICY: RestartPolicy = { firstDelayMs: 3 * REDIS_CLUSTER_NODE_TIMEOUT_MS, maxDelayMs: 60_000, maxRestarts: 5 };

/** The policy of a supervisor process name of the local lab (undefined: never restarted). */
export function labRestartPolicy(name: string): RestartPolicy | undefined {
  if (name.startsWith('k6-runner-')) return undefined;
  if (/^redis-\d+$/.test(name)) return REDIS_RESTART_POLICY;
  return LAB_RESTART_POLICY;
}
