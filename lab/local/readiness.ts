// Readiness as data: "2 replicas streaming", "cluster_state:ok, 3 primaries, 3 replicas", "every
// scrape target up", "target healthy" are facts read from the servers, not assumed because a
// process started. The lab's readiness report (ReadinessReport, checkLabReadiness) gathers them;
// the run turns it into its lab checks, at the start and again at the end.
//
// The parsers are pure (and tested on text); the check functions are the I/O at the edge, and
// none of them throws: a server that is down is `ok: false` with its problem in words.

import pg from 'pg';
import { Redis } from 'ioredis';
import type { LocalAlertmanager } from './alertmanager.ts';
import { scrapeTargetHealth, scrapeTargetsNotUp, type LocalPrometheus, type TargetHealth } from './prometheus.ts';
import type { LocalTarget } from './targetService.ts';

export const REDIS_CLUSTER_SLOTS = 16_384;

export interface ReplicaStatus {
  /** application_name: the standby's cluster_name (`postgres-replica-1`, ...). */
  name: string;
  /** startup | catchup | streaming | backup | stopping; null when the role may not see it. */
  state: string | null;
  /** bytes of WAL the standby has not replayed yet. */
  lagBytes: number | null;
  /** replay_lag in milliseconds (null when idle: Postgres only measures it while WAL flows). */
  replayLagMs: number | null;
}

export interface ReplicationCheck {
  ok: boolean;
  expectedReplicas: number;
  streamingReplicas: number;
  /** the largest lagBytes over the streaming replicas (0 when none). */
  maxLagBytes: number;
  replicas: ReplicaStatus[];
  /** why ok is false, in words. */
  problem?: string;
}

/**
 * Reads pg_stat_replication on the primary. The URL's role needs pg_monitor (or superuser) to see
 * the state and LSN columns: the local lab's `monitor.url` has it, the app role does not.
 */
export async function checkReplication(primaryUrl: string, expectedReplicas = 2): Promise<ReplicationCheck> {
  const client = new pg.Client({ connectionString: primaryUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query(`
      SELECT application_name AS name, state,
             pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_bytes,
             (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms
        FROM pg_stat_replication ORDER BY application_name`);
    return replicationCheck(
      rows.map((r) => ({ name: r.name, state: r.state, lagBytes: r.lag_bytes, replayLagMs: r.replay_lag_ms })),
      expectedReplicas,
    );
  } catch (err) {
    return { ...replicationCheck([], expectedReplicas), problem: `cannot query the primary: ${(err as Error).message}` };
  } finally {
    await client.end().catch(() => {});
  }
}

export function replicationCheck(replicas: ReplicaStatus[], expectedReplicas: number): ReplicationCheck {
  const streaming = replicas.filter((r) => r.state === 'streaming');
  const maxLagBytes = Math.max(0, ...streaming.map((r) => r.lagBytes ?? 0));
  const hidden = replicas.length > 0 && replicas.every((r) => r.state === null);
  const ok = streaming.length >= expectedReplicas;
  const problem = ok
    ? undefined
    : hidden
      ? 'the role cannot see pg_stat_replication details: connect as a role with pg_monitor'
      : `${streaming.length} of ${expectedReplicas} replicas streaming`;
  return {
    ok, expectedReplicas, streamingReplicas: streaming.length, maxLagBytes, replicas,
    ...(problem ? { problem } : {}),
  };
}

export interface RedisNodeStatus {
  id: string;
  address: string;
  role: 'primary' | 'replica';
  /** for a replica, the id of its primary. */
  primaryId?: string;
  failed: boolean;
  /** the raw flags (myself, master, slave, fail?, handshake, ...). */
  flags: string[];
  slots: number;
}

export interface RedisClusterCheck {
  ok: boolean;
  clusterState: string;
  slotsAssigned: number;
  slotsOk: number;
  primaries: number;
  replicas: number;
  /** the node that answered CLUSTER INFO / CLUSTER NODES. */
  checkedVia: string;
  nodes: RedisNodeStatus[];
  problem?: string;
}

export interface ExpectedCluster {
  primaries: number;
  replicas: number;
}

/** `CLUSTER INFO` text → its fields. */
export function parseClusterInfo(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(/\r?\n/).filter((l) => l.includes(':')).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()];
    }),
  );
}

/** `CLUSTER NODES` text → one status per node (slot ranges counted, migrating slots ignored). */
export function parseClusterNodes(text: string): RedisNodeStatus[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((line) => {
    const [id, addr, flags, primaryId, , , , , ...slots] = line.trim().split(' ');
    const flagList = (flags ?? '').split(',');
    const role = flagList.includes('master') ? 'primary' : 'replica';
    return {
      id: id!,
      address: (addr ?? '').split('@')[0]!,
      role,
      ...(role === 'replica' && primaryId && primaryId !== '-' ? { primaryId } : {}),
      failed: flagList.includes('fail') || flagList.includes('fail?') || flagList.includes('noaddr'),
      flags: flagList,
      slots: slots.filter((s) => !s.startsWith('[')).reduce((n, range) => {
        const [from, to] = range.split('-').map(Number);
        return n + (to === undefined ? 1 : to - from! + 1);
      }, 0),
    } satisfies RedisNodeStatus;
  });
}

export function redisClusterCheck(
  info: Record<string, string>, nodes: RedisNodeStatus[], checkedVia: string,
  expected: ExpectedCluster = { primaries: 3, replicas: 3 },
): RedisClusterCheck {
  const live = nodes.filter((n) => !n.failed && !n.flags.includes('handshake'));
  const primaries = live.filter((n) => n.role === 'primary' && n.slots > 0).length;
  const replicas = live.filter((n) => n.role === 'replica').length;
  const clusterState = info['cluster_state'] ?? 'unknown';
  const slotsAssigned = Number(info['cluster_slots_assigned'] ?? 0);
  const slotsOk = Number(info['cluster_slots_ok'] ?? 0);
  const problems = [
    clusterState !== 'ok' && `cluster_state is ${clusterState}`,
    slotsOk !== REDIS_CLUSTER_SLOTS && `${slotsOk} of ${REDIS_CLUSTER_SLOTS} slots ok`,
    primaries < expected.primaries && `${primaries} of ${expected.primaries} primaries`,
    replicas < expected.replicas && `${replicas} of ${expected.replicas} replicas`,
  ].filter((p): p is string => typeof p === 'string');
  return {
    ok: problems.length === 0, clusterState, slotsAssigned, slotsOk, primaries, replicas, checkedVia, nodes,
    ...(problems.length ? { problem: problems.join('; ') } : {}),
  };
}

/**
 * Asks the first node that answers for CLUSTER INFO and CLUSTER NODES. `nodes` are
 * `host:port` strings, as startRedisCluster returns them.
 */
export async function checkRedisCluster(
  nodes: string[], password: string | undefined, expected: ExpectedCluster = { primaries: 3, replicas: 3 },
): Promise<RedisClusterCheck> {
  const errors: string[] = [];
  for (const node of nodes) {
    const [host, port] = splitAddress(node);
    const client = new Redis({
      host, port, password, lazyConnect: true, connectTimeout: 2000, commandTimeout: 2000,
      maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
    });
    client.on('error', () => {}); // reported through the rejected command instead
    try {
      // a stalled node (SIGSTOP) accepts the connection and never answers: bounded, then the next node
      const [info, list] = await withinMs(3000, `${node} did not answer within 3 s`, async () => {
        await client.connect();
        return [(await client.call('CLUSTER', 'INFO')) as string, (await client.call('CLUSTER', 'NODES')) as string] as const;
      });
      return redisClusterCheck(parseClusterInfo(info), parseClusterNodes(list), node, expected);
    } catch (err) {
      errors.push(`${node}: ${(err as Error).message}`);
    } finally {
      client.disconnect();
    }
  }
  return {
    ...redisClusterCheck({}, [], '', expected),
    problem: `no node answered: ${errors.join('; ') || 'no nodes given'}`,
  };
}

/** `work`, or an error saying `why` after `ms`. */
async function withinMs<T>(ms: number, why: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work(), new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(why)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`bad Redis node address "${address}": expected host:port, e.g. 127.0.0.1:7000`);
  }
  return [address.slice(0, i), port];
}

/** What the data tier's checks need of it (a DataTier has it). */
export interface DataTierEndpoints {
  postgres: { monitor: { url: string }; replicas: readonly unknown[] };
  redis: { nodes: string[]; password: string };
}

export interface DataTierChecks {
  ok: boolean;
  replication: ReplicationCheck;
  redisCluster: RedisClusterCheck;
}

/** The replication and cluster checks, as the lab's summary reports them. */
export async function checkDataTier(tier: DataTierEndpoints): Promise<DataTierChecks> {
  const [replication, redisCluster] = await Promise.all([
    checkReplication(tier.postgres.monitor.url, tier.postgres.replicas.length),
    checkRedisCluster(tier.redis.nodes, tier.redis.password),
  ]);
  return { ok: replication.ok && redisCluster.ok, replication, redisCluster };
}

/** The target service's GET /api/v1/health, as data. */
export async function targetHealth(url: string): Promise<{ ok: boolean; status: string; problem?: string }> {
  try {
    const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json()) as { status?: string };
    const status = body.status ?? `HTTP ${response.status}`;
    return status === 'healthy' ? { ok: true, status } : { ok: false, status, problem: `target health is ${status}` };
  } catch (error) {
    return { ok: false, status: 'unreachable', problem: `target not answering: ${(error as Error).message}` };
  }
}

/** The local lab's readiness: what its start proved, and what checkReadiness() finds later. */
export interface ReadinessReport {
  ok: boolean;
  checkedAt: string;
  /** ms from the call to all green (the start's report only). */
  coldStartMs?: number;
  /** ms from the start of the call at which each part was ready (the start's report only). */
  phasesMs?: Record<string, number>;
  replication: ReplicationCheck;
  redisCluster: RedisClusterCheck;
  prometheus: { ok: boolean; url: string; targets: TargetHealth[]; problem?: string };
  alertmanager: { ok: boolean; url: string; problem?: string };
  target?: { ok: boolean; url: string; status: string; problem?: string };
  /** what is not green, in words (empty when ok). */
  problems: string[];
}

/** Every readiness check of a running lab, as data; never throws. */
export async function checkLabReadiness(parts: {
  dataTier: DataTierEndpoints;
  prometheus: Pick<LocalPrometheus, 'url' | 'expectedTargets'>;
  alertmanager: Pick<LocalAlertmanager, 'url'>;
  target?: Pick<LocalTarget, 'url'> | undefined;
}): Promise<ReadinessReport> {
  const { dataTier, prometheus, alertmanager, target } = parts;
  const [data, targets, alertmanagerOk, health] = await Promise.all([
    checkDataTier(dataTier),
    scrapeTargetHealth(prometheus.url).catch((error: Error) => error),
    fetch(`${alertmanager.url}/-/ready`).then((r) => r.ok, () => false),
    target ? targetHealth(target.url) : Promise.resolve(undefined),
  ]);
  const down = targets instanceof Error
    ? [`prometheus unreachable: ${targets.message}`]
    : scrapeTargetsNotUp(prometheus.expectedTargets(), targets);
  const prometheusProblem = down.length ? `scrape targets not up: ${down.join('; ')}` : undefined;
  const problems = [
    data.replication.problem && `replication: ${data.replication.problem}`,
    data.redisCluster.problem && `redis cluster: ${data.redisCluster.problem}`,
    prometheusProblem,
    !alertmanagerOk && 'alertmanager not ready',
    health && !health.ok && health.problem,
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return {
    ok: problems.length === 0,
    checkedAt: new Date().toISOString(),
    replication: data.replication,
    redisCluster: data.redisCluster,
    prometheus: {
      ok: !prometheusProblem, url: prometheus.url, targets: targets instanceof Error ? [] : targets,
      ...(prometheusProblem ? { problem: prometheusProblem } : {}),
    },
    alertmanager: { ok: alertmanagerOk, url: alertmanager.url, ...(alertmanagerOk ? {} : { problem: 'not ready' }) },
    ...(target && health ? { target: { ok: health.ok, url: target.url, status: health.status, ...(health.problem ? { problem: health.problem } : {}) } } : {}),
    problems,
  };
}
