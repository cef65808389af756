// The local lab's Postgres: one primary and two hot standbys streaming from it, on loopback.
//
// Same topology as the cluster's CloudNativePG `instances: 3` (services -rw / -ro), from the
// Debian postgresql-15 package. Every start copies the machine's data directory template
// (template.ts) three times, turns two copies into standbys, starts the primary, sets this run's
// generated passwords, starts the standbys and waits until both stream. All servers are started by
// the Supervisor (server.ts), so stopAll and the pid file cover them.

import { appendFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Supervisor } from '../../process/supervisor.ts';
import { notYet, waitUntil } from '../../process/waitUntil.ts';
import { freePorts, LOOPBACK } from '../ports.ts';
import { generatePassword } from '../passwords.ts';
import { chownToPostgres, POSTGRES_USER } from './osUser.ts';
import { defaultDataPlacement, memoryRoot, postgresRoot, removePostgresData, socketFolder, sweepFinishedLabsData } from './placement.ts';
import { adminQuery, POSTGRES_WAIT_MS, startServer, type PostgresInstance, type ServerSpec } from './server.ts';
import {
  APP_ROLE, DATABASE, literal, MONITOR_ROLE, postgresUrl, REPLICA_COUNT, REPLICATION_ROLE, slotName, standbyConfig,
} from './settings.ts';
import { copyDataDir, ensureTemplate, type TemplateInfo, type TemplateSetup } from './template.ts';

export interface Credentials {
  user: string;
  password: string;
}

export interface LocalPostgres {
  database: string;
  /** app role on the primary: writes go here. */
  primaryUrl: string;
  /** app role on each hot standby: reads go here. */
  replicaUrls: string[];
  app: Credentials;
  /** a role with pg_monitor: what readiness checks and the exporter use. */
  monitor: Credentials & { url: string };
  /** the superuser, for admin work (migrations that need it, tests). TCP with scram. */
  admin: Credentials & { url: string; host: string; port: number };
  /** the folder of the unix sockets (trust auth; only postgres and root can enter it). */
  socketDir: string;
  /** where the data directories live (may be under os.tmpdir(), see rootDir's comment). */
  rootDir: string;
  primary: PostgresInstance;
  replicas: PostgresInstance[];
  /** the data directory template this lab was copied from. */
  template: TemplateInfo;
  /** stops the replicas, then the primary. */
  stop: () => Promise<void>;
}

export interface StartPostgresOptions {
  stateDir: string;
  supervisor: Supervisor;
  log?: (line: string) => void;
  /** hot standbys to start (default 2, as on the cluster). */
  replicas?: number;
  /**
   * where the data directory template is kept between runs (default os.tmpdir()); false builds
   * a fresh one inside this run's folder (what a first run on a fresh machine pays anyway).
   */
  templateCache?: string | false;
  /**
   * where the data directories live: 'memory' (a folder under /dev/shm, linked from
   * <stateDir>/postgres) or 'disk' (<stateDir>/postgres). Default: memory when /dev/shm is a
   * tmpfs with room, else disk. Copying data directories onto ext4 on a busy 2-core VM took 3-13 s
   * here, onto tmpfs 0.2-0.3 s; with fsync off the disk bought no durability anyway.
   */
  dataOn?: 'memory' | 'disk';
  /** run once while the template is built (e.g. migrate + seed); see TemplateSetup. */
  templateSetup?: TemplateSetup;
}

export async function startPostgres(options: StartPostgresOptions): Promise<LocalPostgres> {
  const log = options.log ?? (() => {});
  const { supervisor } = options;
  const replicaCount = options.replicas ?? REPLICA_COUNT;
  const startedAt = Date.now();
  const dataOn = options.dataOn ?? defaultDataPlacement();
  // runs alongside this start (it touches only other labs' folders) and is awaited before returning
  const sweep = sweepFinishedLabsData(log).catch(() => [] as string[]);
  const rootDir = dataOn === 'memory' ? memoryRoot(options.stateDir) : postgresRoot(options.stateDir);
  log(`postgres: data directories in ${rootDir} (${dataOn})`);
  const socketDir = socketFolder(rootDir);
  const ports = await freePorts(1 + replicaCount);
  const primaryPort = ports[0]!;
  const passwords = {
    admin: generatePassword(),
    app: generatePassword(),
    replication: generatePassword(),
    monitor: generatePassword(),
  };

  const template = await ensureTemplate({
    cacheDir: options.templateCache === false ? rootDir : (options.templateCache ?? tmpdir()),
    supervisor, replicaCount, log, ...(options.templateSetup ? { setup: options.templateSetup } : {}),
  }).catch((error: unknown) => {
    // nothing runs in this lab's folder yet (the build's server is stopped): free it now
    removePostgresData(rootDir);
    throw error;
  });
  const spec = (name: string, role: PostgresInstance['role'], port: number, dataDir: string): ServerSpec => ({
    name, role, port, dataDir,
    url: postgresUrl({ user: APP_ROLE, password: passwords.app, port, database: DATABASE }),
  });
  const primarySpec = spec('postgres-primary', 'primary', primaryPort, join(rootDir, 'primary'));
  const replicaSpecs = Array.from({ length: replicaCount }, (_, i) =>
    spec(`postgres-replica-${i + 1}`, 'replica', ports[i + 1]!, join(rootDir, `replica-${i + 1}`)));
  // The primary's copy first; the standbys' copies are made while the primary starts up.
  await copyDataDir(template.dataDir, primarySpec.dataDir);
  const standbysCopied = Promise.all(replicaSpecs.map(async (replica, i) => {
    await copyDataDir(template.dataDir, replica.dataDir);
    makeStandby(replica.dataDir, { primaryPort, user: REPLICATION_ROLE, password: passwords.replication, slot: slotName(i) });
  }));
  standbysCopied.catch(() => {}); // awaited below; not "unhandled" if the primary fails first

  const primary = startServer(supervisor, primarySpec, socketDir);
  await primary.waitReady();
  // This run's secrets: the template has the roles, but no password at all. Committed
  // synchronously (the servers run synchronous_commit=off, which would leave the commit up to
  // 3 x wal_writer_delay unsent), and the standbys count as ready only once they have replayed
  // it: before that, they refuse this run's passwords.
  const [passwordsSet] = await adminQuery(socketDir, primaryPort, 'postgres', [
    'SET synchronous_commit = on',
    `ALTER ROLE ${POSTGRES_USER} PASSWORD ${literal(passwords.admin)}`,
    `ALTER ROLE ${APP_ROLE} PASSWORD ${literal(passwords.app)}`,
    `ALTER ROLE ${REPLICATION_ROLE} PASSWORD ${literal(passwords.replication)}`,
    `ALTER ROLE ${MONITOR_ROLE} PASSWORD ${literal(passwords.monitor)}`,
    'SELECT pg_current_wal_flush_lsn()::text AS lsn',
  ]);
  log(`postgres: primary up on ${primaryPort} after ${Date.now() - startedAt} ms`);

  await standbysCopied;
  const replicas = replicaSpecs.map((replica) => startServer(supervisor, replica, socketDir));
  await Promise.all(replicas.map((r) => r.waitReady()));
  await waitForStreaming(socketDir, primary, replicas, passwordsSet!['lsn'] as string);
  log(`postgres: primary + ${replicaCount} streaming replicas ready in ${Date.now() - startedAt} ms`);
  await sweep;

  return {
    database: DATABASE,
    primaryUrl: primary.url,
    replicaUrls: replicas.map((r) => r.url),
    app: { user: APP_ROLE, password: passwords.app },
    monitor: {
      user: MONITOR_ROLE, password: passwords.monitor,
      url: postgresUrl({ user: MONITOR_ROLE, password: passwords.monitor, port: primaryPort, database: DATABASE }),
    },
    admin: {
      user: POSTGRES_USER, password: passwords.admin, host: LOOPBACK, port: primaryPort,
      url: postgresUrl({ user: POSTGRES_USER, password: passwords.admin, port: primaryPort, database: DATABASE }),
    },
    socketDir,
    rootDir,
    primary,
    replicas,
    template: template.info,
    stop: async () => {
      for (const replica of [...replicas].reverse()) await replica.stop();
      await primary.stop();
    },
  };
}

function makeStandby(dataDir: string, input: Parameters<typeof standbyConfig>[0]): void {
  // the template's slots belong to the primary; a standby holding copies would pin its own WAL
  const slots = join(dataDir, 'pg_replslot');
  for (const slot of readdirSync(slots)) rmSync(join(slots, slot), { recursive: true, force: true });
  appendFileSync(join(dataDir, 'postgresql.auto.conf'), standbyConfig(input), { mode: 0o600 });
  writeFileSync(join(dataDir, 'standby.signal'), '');
  chownToPostgres(join(dataDir, 'standby.signal'));
}

/** Until every standby streams and has replayed the primary's WAL up to `replayedLsn`. */
async function waitForStreaming(socketDir: string, primary: PostgresInstance, replicas: PostgresInstance[], replayedLsn: string): Promise<void> {
  if (!/^[0-9A-F]+\/[0-9A-F]+$/.test(replayedLsn)) throw new Error(`not a WAL location: ${replayedLsn}`);
  await waitUntil(`${replicas.length} replicas to stream`, [primary, ...replicas].map((p) => p.process), async () => {
    const rows = await adminQuery(socketDir, primary.port, 'postgres', [
      `SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming' AND replay_lsn >= '${replayedLsn}'::pg_lsn`,
    ]);
    const streaming = rows[0]?.['n'] as number;
    return streaming >= replicas.length || notYet(`${streaming} streaming and replayed past ${replayedLsn}`);
  }, { timeoutMs: POSTGRES_WAIT_MS });
}
