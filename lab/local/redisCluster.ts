// The local lab's Redis cluster: 6 redis-server processes on loopback, 3 primaries each with one
// replica, all 16384 slots covered — the same shape as the cluster's 3 shards × 1 replica.
//
// The cluster is formed over the protocol with the same steps `redis-cli --cluster create
// --cluster-replicas 1` takes (config epochs, ADDSLOTSRANGE, MEET, REPLICATE), but without its
// fixed one-second sleeps while waiting for the nodes to agree: here we poll every few ms, which
// keeps the lab's cold start short. Readiness is then proven by readiness.ts, not assumed.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import { generatePassword } from './passwords.ts';
import { checkRedisCluster, parseClusterNodes, REDIS_CLUSTER_SLOTS, type RedisClusterCheck } from './readiness.ts';
import type { ManagedProcess, Supervisor } from '../process/supervisor.ts';
import { labProcess, type LabProcess } from '../process/labProcess.ts';
import { waitUntil, type WaitOptions } from '../process/waitUntil.ts';

export const REDIS_PRIMARIES = 3;
export const REDIS_REPLICAS_PER_PRIMARY = 1;
export const REDIS_NODES = REDIS_PRIMARIES * (1 + REDIS_REPLICAS_PER_PRIMARY);
/** cluster-node-timeout: a primary silent this long is suspected, then failed over to its replica. */
export const REDIS_CLUSTER_NODE_TIMEOUT_MS = 3000;

/**
 * How long each step may take (a node answering, the nodes agreeing, the cluster ok), polled at
 * least every 50 ms: the data tier's start is bound by the cluster's.
 */
const REDIS_WAIT_MS = 30_000;
const REDIS_WAIT: WaitOptions = { timeoutMs: REDIS_WAIT_MS, maxIntervalMs: 50 };

/**
 * One node's handle: `name` is its supervisor name, `redis-1` ... `redis-6` (1-3 start as
 * primaries, 4-6 as their replicas); `url` redis://127.0.0.1:<port>. waitReady: it answers PING
 * with the cluster's password.
 */
export interface RedisNode extends LabProcess {
  address: string;
  port: number;
  dir: string;
}

export interface LocalRedisCluster {
  /** every node as `127.0.0.1:port`: the seed list for a cluster client. */
  nodes: string[];
  password: string;
  /** nodes started as primaries, and as replicas (failover may swap roles later). */
  primaries: string[];
  replicas: string[];
  members: RedisNode[];
  /** the readiness check that passed at start. */
  check: RedisClusterCheck;
  stop: () => Promise<void>;
}

export interface StartRedisClusterOptions {
  stateDir: string;
  supervisor: Supervisor;
  log?: (line: string) => void;
  /** the six nodes' ports, chosen by the caller (each with port + 10000 free for the cluster bus); default: free ones now. */
  ports?: readonly number[];
}

/** The config file of one node. Pure: the lab's Redis settings, as text. */
export function redisConf(input: { port: number; dir: string; password: string }): string {
  return [
    '# written by perflab lab/local/redisCluster.ts',
    `port ${input.port}`,
    `bind ${LOOPBACK}`,
    `dir ${input.dir}`,
    'daemonize no',
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    // a stopped primary is failed over in about this time: short, it is a lab on one host
    `cluster-node-timeout ${REDIS_CLUSTER_NODE_TIMEOUT_MS}`,
    // a cache, re-created on every run: no persistence
    'appendonly no',
    'save ""',
    // replicas sync at once instead of waiting 5 s for more replicas to join the transfer
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    `requirepass ${input.password}`,
    `masterauth ${input.password}`,
    'maxmemory 256mb',
    'maxmemory-policy allkeys-lru',
    'logfile ""',
    // keep the command line as started: the Supervisor's pid file identifies a kept lab's
    // processes by it, and Redis would otherwise rewrite it to "redis-server host:port [cluster]"
    'set-proc-title no',
    '',
  ].join('\n');
}

/** Slot ranges of the primaries, split as redis-cli splits them. Pure. */
export function slotRanges(primaries: number): [number, number][] {
  const per = REDIS_CLUSTER_SLOTS / primaries;
  return Array.from({ length: primaries }, (_, i) => [
    Math.round(i * per),
    i === primaries - 1 ? REDIS_CLUSTER_SLOTS - 1 : Math.round((i + 1) * per) - 1,
  ]);
}

export async function startRedisCluster(options: StartRedisClusterOptions): Promise<LocalRedisCluster> {
  return (await startRedisNodes(options)).formCluster();
}

/** Six standalone cluster-mode nodes, answering; not yet one cluster. */
export interface RedisNodesUp {
  nodes: string[];
  password: string;
  members: RedisNode[];
  /** joins them into 3 primaries × 1 replica and waits until every check is green. Call once. */
  formCluster: () => Promise<LocalRedisCluster>;
}

/**
 * The first half of startRedisCluster, for callers with work that needs the nodes but not the
 * cluster (an exporter): the cluster's own 2-second writable delay can then be spent on it.
 */
export async function startRedisNodes(options: StartRedisClusterOptions): Promise<RedisNodesUp> {
  const log = options.log ?? (() => {});
  const startedAt = Date.now();
  const password = generatePassword();
  const total = REDIS_NODES;
  if (options.ports && options.ports.length !== total) throw new Error(`ports: give ${total} Redis ports, got ${options.ports.length}`);
  const ports = options.ports ?? (await freePorts(total, { withClusterBus: true }));
  const root = join(resolve(options.stateDir), 'redis');

  const members: RedisNode[] = ports.map((port, i) => {
    const name = `redis-${i + 1}`;
    const dir = join(root, String(port));
    mkdirSync(dir, { recursive: true });
    // the password lives in the config file (0600), not on a command line `ps` shows
    const conf = join(dir, 'redis.conf');
    writeFileSync(conf, redisConf({ port, dir, password }), { mode: 0o600 });
    const proc = options.supervisor.start(name, LOCAL_LAB_BINARIES.redisServer.path, [conf]);
    return {
      ...labProcess(options.supervisor, proc, {
        url: `redis://${LOOPBACK}:${port}`,
        defaultTimeoutMs: REDIS_WAIT_MS,
        ready: async (wait) => (await connectWhenUp(proc, port, password, { ...REDIS_WAIT, ...wait })).disconnect(),
      }),
      address: `${LOOPBACK}:${port}`, port, dir,
    };
  });

  const nodes = members.map((m) => m.address);
  const connecting = await Promise.allSettled(members.map((m) => connectWhenUp(m.process, m.port, password, REDIS_WAIT)));
  const clients = connecting.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const failed = connecting.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (failed) {
    for (const c of clients) c.disconnect(); // no open socket keeps the caller's process alive
    throw failed.reason;
  }
  log(`redis: ${total} nodes up after ${Date.now() - startedAt} ms`);

  const formCluster = async (): Promise<LocalRedisCluster> => {
    let check: RedisClusterCheck;
    try {
      await joinNodes(clients, members);
      check = await waitUntil('the Redis cluster to be ready', members.map((m) => m.process), async () => {
        // every node must agree, not just one: a client may be pointed at any of them
        const checks = await Promise.all(nodes.map((n) => checkRedisCluster([n], password)));
        if (!checks.every((c) => c.ok)) return undefined;
        // and every replica holds a copy, so a write is replicated from the first request on
        const links = (await Promise.all(clients.slice(REDIS_PRIMARIES).map((c) => c.info('replication')))) as string[];
        return links.every((l) => /master_link_status:up/.test(l)) ? checks[0] : undefined;
      }, REDIS_WAIT);
    } finally {
      for (const c of clients) c.disconnect();
    }
    log(`redis: cluster ok (${check.primaries} primaries, ${check.replicas} replicas) in ${Date.now() - startedAt} ms`);
    return {
      nodes,
      password,
      primaries: nodes.slice(0, REDIS_PRIMARIES),
      replicas: nodes.slice(REDIS_PRIMARIES),
      members,
      check,
      stop: async () => {
        for (const m of [...members].reverse()) await m.stop();
      },
    };
  };
  return { nodes, password, members, formCluster };
}

async function joinNodes(clients: Redis[], members: RedisNode[]): Promise<void> {
  const primaries = clients.slice(0, REDIS_PRIMARIES);
  const replicas = clients.slice(REDIS_PRIMARIES);
  // distinct config epochs up front, as redis-cli does, so no epoch collision has to be resolved
  await Promise.all(clients.map((c, i) => c.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1))));
  await Promise.all(
    slotRanges(REDIS_PRIMARIES).map(([from, to], i) => primaries[i]!.call('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to))),
  );
  const ids = (await Promise.all(clients.map((c) => c.call('CLUSTER', 'MYID')))) as string[];
  // every pair meets directly: waiting for gossip to spread one MEET takes seconds
  await Promise.all(clients.flatMap((c, i) =>
    members.slice(i + 1).map((m) => c.call('CLUSTER', 'MEET', LOOPBACK, String(m.port)))));
  // a node can only replicate a primary it has heard of
  await waitUntil('every Redis node to know every other', members.map((m) => m.process), async () => {
    const views = (await Promise.all(clients.map((c) => c.call('CLUSTER', 'NODES')))) as string[];
    return views.every((v) => parseClusterNodes(v).filter((n) => !n.flags.includes('handshake')).length === clients.length);
  }, REDIS_WAIT);
  await Promise.all(replicas.map((c, i) => c.call('CLUSTER', 'REPLICATE', ids[i]!)));
}

/** A client of the node once it answers PING with the password (the caller disconnects it). */
async function connectWhenUp(proc: ManagedProcess, port: number, password: string, wait: WaitOptions): Promise<Redis> {
  return waitUntil(`${proc.name} (port ${port}) to answer`, proc, async () => {
    const client = new Redis({
      host: LOOPBACK, port, password, lazyConnect: true,
      maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return client;
    } catch {
      client.disconnect();
      return undefined;
    }
  }, wait);
}
