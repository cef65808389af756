// The local lab's Postgres: one primary and two hot standbys streaming from it, on loopback.
//
// Same topology as the cluster's CloudNativePG `instances: 3` (services -rw / -ro), from the
// Debian postgresql-15 package. Postgres refuses to run as root, so every server and tool runs as
// the `postgres` Unix user with its files in a folder that user owns. All servers are started by
// the Supervisor, so stopAll and the pid file cover them.
//
// Lab-only settings (documented in docs/local-data-tier.md): fsync and synchronous_commit are off
// — a crash loses the lab's data, which is re-created on every run anyway, and a 2-core CI box
// spends its time on the load test instead of on flushes.

import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync,
  realpathSync, renameSync, rmSync, statfsSync, statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import { commandAs, type Supervisor } from '../process/supervisor.ts';
import { labProcess, type LabProcess } from '../process/labProcess.ts';
import { notYet, waitUntil } from '../process/waitUntil.ts';

export const POSTGRES_USER = 'postgres';
export const DATABASE = 'perflab';
export const APP_ROLE = 'perflab_app';
export const REPLICATION_ROLE = 'perflab_replicator';
export const MONITOR_ROLE = 'perflab_monitor';
export const REPLICA_COUNT = 2;

/** Postgres' own limit on a unix socket path (sun_path is 108 bytes including the NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * One server's handle: `name` is its supervisor name (`postgres-primary`, `postgres-replica-1`,
 * ...), `url` the app role's URL for it; waitReady: it accepts connections; stop: this instance
 * only (a test stopping a replica).
 */
export interface PostgresInstance extends LabProcess {
  role: 'primary' | 'replica';
  port: number;
  dataDir: string;
}

/** What a server is before it runs: where its data is, which port, its URL. */
type ServerSpec = Pick<PostgresInstance, 'name' | 'role' | 'port' | 'dataDir' | 'url'>;

/** How long a server may take to accept connections, and the standbys to stream. */
const POSTGRES_WAIT_MS = 30_000;

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

/**
 * Work done once per machine while the template is built (migrations, a seed): its result is in
 * every copy, so a lab starts with it instead of redoing it. `id` names what `run` does (a hash
 * of its code and options): it is part of the template's cache key, so a change in it builds a
 * new template instead of reusing a stale one.
 */
export interface TemplateSetup {
  id: string;
  /** gets the app role's URL on the template's server (a password valid for the build only). */
  run(primaryUrl: string): Promise<void>;
}

export interface TemplateInfo {
  /** the template's folder. */
  dir: string;
  /** true when this start built it (the setup ran now), false when it was reused. */
  built: boolean;
  /** when the template was built (ISO time; the setup ran just before). */
  builtAt: string;
  /** the setup's id, when the template has one. */
  setupId?: string;
  /** how long the setup took when the template was built, in ms. */
  setupMs?: number;
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

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Settings every instance gets on its command line. Pure: what the lab runs, as data. */
export function serverSettings(input: { port: number; socketDir: string; name: string }): Record<string, string> {
  return {
    port: String(input.port),
    listen_addresses: LOOPBACK,
    unix_socket_directories: input.socketDir,
    unix_socket_permissions: '0700',
    cluster_name: input.name, // a standby's application_name in pg_stat_replication
    // lab-only durability trade-off, see the header comment
    fsync: 'off',
    synchronous_commit: 'off',
    shared_buffers: '64MB',
    max_connections: '200',
    wal_level: 'replica',
    max_wal_senders: '10',
    max_replication_slots: '10',
    hot_standby: 'on',
    // the target's long report queries must not be cancelled by replay on a standby
    hot_standby_feedback: 'on',
    // bounded: the data directories may live in memory (see dataOn); a standby stopped for good
    // (a test) must not make its slot hold WAL without limit
    max_wal_size: '256MB',
    max_slot_wal_keep_size: '1GB',
    // per-statement timings for the "database query time" SLA
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'all',
    logging_collector: 'off',
    log_destination: 'stderr',
    log_min_messages: 'warning',
    // a standby retries a lost primary within 200 ms instead of 5 s (a lab restarts things)
    wal_retrieve_retry_interval: '200ms',
    password_encryption: 'scram-sha-256',
  };
}

export function settingsArgs(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

/**
 * Client authentication: the unix socket trusts (its folder is 0700, postgres' own; root can
 * enter it too, which is how the lab administers the servers), everything over TCP needs a scram
 * password, replication only for the replication role.
 */
export function hbaConf(): string {
  return [
    '# written by perflab lab/local/postgres.ts',
    'local   all          all                              trust',
    `host    replication  ${REPLICATION_ROLE}  ${LOOPBACK}/32  scram-sha-256`,
    `host    all          all                  ${LOOPBACK}/32  scram-sha-256`,
    '',
  ].join('\n');
}

export function postgresUrl(input: { user: string; password: string; port: number; database: string }): string {
  const user = encodeURIComponent(input.user);
  const password = encodeURIComponent(input.password);
  return `postgresql://${user}:${password}@${LOOPBACK}:${input.port}/${encodeURIComponent(input.database)}`;
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

/** Bump when the template's recipe changes, so no lab starts from an old one. */
const TEMPLATE_RECIPE = 2;

/**
 * The template: a data directory as initdb leaves it plus the lab's roles (without passwords),
 * database, extension and one replication slot per standby, cleanly shut down. Every lab copies
 * it three times: a copy of a cleanly stopped primary is a valid base backup (same system id, a
 * checkpoint to start recovery from), so the standbys need no pg_basebackup, and no lab pays for
 * initdb more than once per machine. The name carries a hash of what went into it.
 */
async function ensureTemplate(input: {
  cacheDir: string; supervisor: Supervisor; replicaCount: number; log: (line: string) => void; setup?: TemplateSetup;
}): Promise<{ dataDir: string; info: TemplateInfo }> {
  const cacheDir = traversableByOthers(resolve(input.cacheDir)) ? resolve(input.cacheDir) : tmpdir();
  const key = createHash('sha256')
    // the uid too: a template root built (owned by postgres, 0700) is unreadable to another user
    .update(JSON.stringify({
      TEMPLATE_RECIPE, version: postgresVersion(), replicas: input.replicaCount, hba: hbaConf(), uid: process.getuid?.(),
      // a template without a setup keeps the key it always had
      ...(input.setup ? { setup: input.setup.id } : {}),
    }))
    .digest('hex').slice(0, 16);
  const final = join(cacheDir, `${TEMPLATE_PREFIX}${key}`);
  if (templateIntact(final)) {
    markUsed(final);
    input.log(`postgres: reusing the data directory template ${final}${input.setup ? ` (set up: ${input.setup.id})` : ''}`);
    return { dataDir: join(final, 'data'), info: { ...readTemplateInfo(final), dir: final, built: false } };
  }
  if (existsSync(final)) {
    // half gone (a /tmp cleaner, a full disk): set it aside and build a new one
    const stale = `${final}-stale-${process.pid}-${Date.now()}`;
    try {
      renameSync(final, stale);
      rmSync(stale, { recursive: true, force: true });
    } catch {
      // another lab got there first; the build below will find its result or replace it
    }
  }
  const startedAt = Date.now();
  mkdirSync(cacheDir, { recursive: true });
  const build = mkdtempSync(join(cacheDir, TEMPLATE_BUILD_PREFIX));
  let setupMs: number | undefined;
  let firstWalNeeded: string | undefined;
  try {
    chmodSync(build, 0o755);
    chownToPostgres(build);
    const dataDir = join(build, 'data');
    await runAsPostgres(LOCAL_LAB_BINARIES.initdb.path, [
      '-D', dataDir, '-U', POSTGRES_USER, '-E', 'UTF8', '--locale=C',
      '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '--no-instructions',
      // 1 MB WAL segments instead of 16: each lab copies the template three times
      '--wal-segsize=1',
    ]);
    writeFileSync(join(dataDir, 'pg_hba.conf'), hbaConf());
    const socketDir = socketFolder(build);
    const [port] = await freePorts(1);
    // no role has a password yet: it is reached through its socket
    const server = startServer(input.supervisor, {
      name: `postgres-template-${key}`, role: 'primary', port: port!, dataDir, url: `postgresql://${LOOPBACK}:${port}/${DATABASE}`,
    }, socketDir);
    try {
      await server.waitReady();
      await adminQuery(socketDir, server.port, 'postgres', [
        `CREATE ROLE ${APP_ROLE} LOGIN`,
        `CREATE ROLE ${REPLICATION_ROLE} LOGIN REPLICATION`,
        `CREATE ROLE ${MONITOR_ROLE} LOGIN IN ROLE pg_monitor`,
        `CREATE DATABASE ${DATABASE} OWNER ${APP_ROLE}`,
      ]);
      await adminQuery(socketDir, server.port, DATABASE, ['CREATE EXTENSION IF NOT EXISTS pg_stat_statements']);
      if (input.setup) {
        // The setup connects as the app role (so what it creates is the app's, as at run time),
        // over TCP with a password that exists for this build only: the template keeps none.
        const setupStarted = Date.now();
        const buildPassword = generatePassword();
        await adminQuery(socketDir, server.port, 'postgres', [`ALTER ROLE ${APP_ROLE} PASSWORD ${literal(buildPassword)}`]);
        try {
          await input.setup.run(postgresUrl({ user: APP_ROLE, password: buildPassword, port: server.port, database: DATABASE }));
        } finally {
          await adminQuery(socketDir, server.port, 'postgres', [`ALTER ROLE ${APP_ROLE} PASSWORD NULL`]);
        }
        // hint bits, visibility map and statistics set once here rather than by every copy's
        // first reads and autovacuum (VACUUM FULL is not needed: nothing was deleted)
        await adminQuery(socketDir, server.port, DATABASE, ['VACUUM (FREEZE, ANALYZE)']);
        setupMs = Date.now() - setupStarted;
        input.log(`postgres: template set up (${input.setup.id}) in ${setupMs} ms`);
      }
      // Slots reserve WAL from the last checkpoint's redo on, so a standby never finds the WAL
      // it needs recycled; the checkpoint first, so they do not hold the setup's WAL.
      const rows = await adminQuery(socketDir, server.port, 'postgres', [
        'CHECKPOINT',
        ...Array.from({ length: input.replicaCount }, (_, i) =>
          `SELECT pg_create_physical_replication_slot(${literal(slotName(i))}, true)`),
        'SELECT pg_walfile_name(min(restart_lsn)) AS first FROM pg_replication_slots',
      ]);
      firstWalNeeded = rows[0]?.['first'] as string | undefined;
    } finally {
      await server.stop(); // SIGINT: a fast, clean shutdown, which is what makes the copies valid
    }
    trimWal(dataDir, firstWalNeeded);
    const builtAt = new Date().toISOString();
    const about = { builtAt, ...(input.setup ? { setupId: input.setup.id, setupMs } : {}) };
    // written last, after the clean shutdown: a template without it is never used
    writeFileSync(join(build, 'complete'), JSON.stringify(about));
    try {
      renameSync(build, final);
    } catch (err) {
      // another lab built the same template at the same time: use theirs
      if (!templateIntact(final)) throw err;
      rmSync(build, { recursive: true, force: true });
    }
    input.log(`postgres: built the data directory template ${final} in ${Date.now() - startedAt} ms`);
    return { dataDir: join(final, 'data'), info: { ...readTemplateInfo(final), dir: final, built: true } };
  } catch (err) {
    rmSync(build, { recursive: true, force: true });
    throw err;
  }
}

const TEMPLATE_PREFIX = 'perflab-pg-template-';
const TEMPLATE_BUILD_PREFIX = `${TEMPLATE_PREFIX}build-`;

/**
 * A cleanly stopped server keeps WAL segments it no longer needs (a setup's tens of MB, kept or
 * recycled under future names), and every lab would copy them three times. Needed are the
 * segments from the slots' restart point (`firstNeeded`) to the shutdown checkpoint's; the rest
 * goes. Without `firstNeeded` (no slots), only the checkpoint's segment stays.
 */
function trimWal(dataDir: string, firstNeeded: string | undefined): void {
  const control = execFileSync(join(dirname(LOCAL_LAB_BINARIES.postgres.path), 'pg_controldata'), [dataDir], {
    encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' },
  });
  if (!/^Database cluster state:\s+shut down$/m.test(control)) throw new Error(`template ${dataDir} was not shut down cleanly:\n${control}`);
  const redo = /^Latest checkpoint's REDO WAL file:\s+([0-9A-F]{24})$/m.exec(control)?.[1];
  if (!redo) throw new Error(`pg_controldata ${dataDir}: no REDO WAL file`);
  const first = firstNeeded && firstNeeded < redo ? firstNeeded : redo;
  const wal = join(dataDir, 'pg_wal');
  for (const file of readdirSync(wal)) {
    // same timeline: the names order as the WAL does
    if (/^[0-9A-F]{24}$/.test(file) && (file < first || file > redo)) rmSync(join(wal, file));
  }
}

/** Touches the template's marker: the sweep keeps a template some lab started from lately. */
function markUsed(templateDir: string): void {
  const now = new Date();
  try {
    utimesSync(join(templateDir, 'complete'), now, now);
  } catch {
    // another user's template (readable, not ours to touch): the sweep judges it by its build time
  }
}

/** What the `complete` marker says (an older template holds just the time). */
function readTemplateInfo(templateDir: string): Omit<TemplateInfo, 'dir' | 'built'> {
  const text = readFileSync(join(templateDir, 'complete'), 'utf8').trim();
  try {
    const about = JSON.parse(text) as Omit<TemplateInfo, 'dir' | 'built'>;
    return {
      builtAt: about.builtAt,
      ...(about.setupId ? { setupId: about.setupId } : {}),
      ...(typeof about.setupMs === 'number' ? { setupMs: about.setupMs } : {}),
    };
  } catch {
    return { builtAt: text };
  }
}

/** The files a copy cannot start without, and the marker written only after a clean shutdown. */
function templateIntact(templateDir: string): boolean {
  return ['complete', 'data/PG_VERSION', 'data/global/pg_control', 'data/postgresql.conf', 'data/pg_hba.conf']
    .every((f) => existsSync(join(templateDir, f)));
}

let version: string | undefined;
function postgresVersion(): string {
  version ??= execFileSync(LOCAL_LAB_BINARIES.postgres.path, ['--version'], { encoding: 'utf8' }).trim();
  return version;
}

/** cp -a keeps owner and modes (postgres', 0700), which Postgres insists on. */
function copyDataDir(from: string, to: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('cp', ['-a', from, to], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`cp -a ${from} ${to} failed: ${errors.trim()}`))));
  });
}

/**
 * The lines that make a data directory a hot standby of the primary (what pg_basebackup -R
 * writes). Pure. Values are quoted twice: for libpq's conninfo, then for postgresql.conf.
 */
export function standbyConfig(input: { primaryPort: number; user: string; password: string; slot: string }): string {
  const conninfo = [
    ['host', LOOPBACK], ['port', String(input.primaryPort)], ['user', input.user], ['password', input.password],
  ].map(([k, v]) => `${k}='${v!.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(' ');
  // postgresql.conf strings take backslash escapes too (pg_basebackup's escape_quotes doubles both)
  const conf = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return `primary_conninfo = ${conf(conninfo)}\nprimary_slot_name = ${conf(input.slot)}\n`;
}

function makeStandby(dataDir: string, input: Parameters<typeof standbyConfig>[0]): void {
  // the template's slots belong to the primary; a standby holding copies would pin its own WAL
  const slots = join(dataDir, 'pg_replslot');
  for (const slot of readdirSync(slots)) rmSync(join(slots, slot), { recursive: true, force: true });
  appendFileSync(join(dataDir, 'postgresql.auto.conf'), standbyConfig(input), { mode: 0o600 });
  writeFileSync(join(dataDir, 'standby.signal'), '');
  chownToPostgres(join(dataDir, 'standby.signal'));
}

/** Room the lab's Postgres may take in memory before we prefer disk (3 servers + seed + WAL). */
const MIN_MEMORY_ROOM = 2 * 1024 ** 3;
export const MEMORY_DATA_PARENT = '/dev/shm';
const MEMORY_DATA_PREFIX = 'perflab-pg-';
/** A memory folder this young may belong to a lab that is still copying: never swept. */
const SWEEP_MIN_AGE_MS = 10 * 60_000;
/** A template no lab has started from for this long is swept (each start from it touches its marker). */
const TEMPLATE_MAX_IDLE_MS = 7 * 24 * 3600_000;

export function defaultDataPlacement(): 'memory' | 'disk' {
  try {
    const fs = statfsSync(MEMORY_DATA_PARENT);
    const TMPFS_MAGIC = 0x01021994;
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= MIN_MEMORY_ROOM ? 'memory' : 'disk';
  } catch {
    return 'disk';
  }
}

/**
 * Removes the Postgres data of a stopped lab found from its state folder alone (a kept lab being
 * torn down): `<stateDir>/postgres`, the folder or the /dev/shm folder it links to.
 */
export function removeStateDirPostgresData(stateDir: string): void {
  const link = join(resolve(stateDir), 'postgres');
  if (!existsSync(link)) return;
  removePostgresData(realpathSync(link));
  rmSync(link, { recursive: true, force: true });
}

/** A folder under /dev/shm for this run, linked as <stateDir>/postgres so people find it. */
function memoryRoot(stateDir: string): string {
  const root = mkdtempSync(join(MEMORY_DATA_PARENT, MEMORY_DATA_PREFIX));
  chmodSync(root, 0o755);
  chownToPostgres(root);
  const link = join(resolve(stateDir), 'postgres');
  mkdirSync(dirname(link), { recursive: true });
  try {
    symlinkSync(root, link);
  } catch {
    // a second Postgres in the same state folder: the link names the first; rootDir is returned anyway
  }
  return root;
}

/**
 * Data outside the state folder is not removed with it: a lab's folder in /dev/shm (memory) or,
 * for a state folder the postgres user cannot traverse, in os.tmpdir() (disk) stays until
 * removed. Every start therefore removes the folders of labs that are gone — older than
 * SWEEP_MIN_AGE_MS and with no process running inside (Postgres servers keep their data
 * directory as working directory, so a running or kept lab always has some). A template build
 * goes only when abandoned (a killed lab's); a template when no lab started from it for
 * TEMPLATE_MAX_IDLE_MS (one left behind when the recipe, Postgres or the seed changed).
 * Returns the folders removed.
 */
export async function sweepFinishedLabsData(log: (line: string) => void = () => {}): Promise<string[]> {
  const folders = [...new Set([MEMORY_DATA_PARENT, tmpdir()])].flatMap((parent) => {
    try {
      return readdirSync(parent)
        .filter((d) => d.startsWith(MEMORY_DATA_PREFIX))
        .map((d) => join(parent, d));
    } catch {
      return [];
    }
  });
  if (folders.length === 0) return [];
  const inUse = processWorkingDirectories();
  const removed: string[] = [];
  for (const folder of folders) {
    try {
      if (Date.now() - lastUsedMs(folder) < maxIdleMs(folder)) continue;
      if (inUse.some((cwd) => cwd === folder || cwd.startsWith(`${folder}/`))) continue;
      await rm(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      // gone already, or not ours to remove
    }
  }
  if (removed.length) log(`postgres: removed ${removed.length} data folder(s) of finished labs`);
  return removed;
}

function isTemplate(folder: string): boolean {
  const name = basename(folder);
  return name.startsWith(TEMPLATE_PREFIX) && !name.startsWith(TEMPLATE_BUILD_PREFIX);
}

function maxIdleMs(folder: string): number {
  return isTemplate(folder) ? TEMPLATE_MAX_IDLE_MS : SWEEP_MIN_AGE_MS;
}

/** A template's last use is its marker's mtime (touched by every start from it); else the folder's. */
function lastUsedMs(folder: string): number {
  const marker = join(folder, 'complete');
  return isTemplate(folder) && existsSync(marker) ? statSync(marker).mtimeMs : statSync(folder).mtimeMs;
}

/** Removes a stopped lab's Postgres data (what `rootDir` names): frees its memory at once. */
export function removePostgresData(rootDir: string): void {
  rmSync(rootDir, { recursive: true, force: true });
}

function processWorkingDirectories(): string[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      return [readlinkSync(`/proc/${pid}/cwd`)];
    } catch {
      return [];
    }
  });
}

/**
 * The folder for data directories. The postgres user must be able to traverse every ancestor of
 * it; a state folder under a private home (0700) is not, so the data then goes under os.tmpdir().
 */
function postgresRoot(stateDir: string): string {
  const wanted = join(resolve(stateDir), 'postgres');
  const root = traversableByOthers(dirname(wanted))
    ? (mkdirSync(wanted, { recursive: true }), wanted)
    : mkdtempSync(join(tmpdir(), 'perflab-pg-'));
  chmodSync(root, 0o755);
  chownToPostgres(root);
  return root;
}

function socketFolder(rootDir: string): string {
  // room for "/.s.PGSQL.65535.lock"
  const inRoot = join(rootDir, 'sockets');
  const dir = inRoot.length + 21 <= MAX_SOCKET_PATH ? inRoot : mkdtempSync(join(tmpdir(), 'perflab-pgsock-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o700);
  chownToPostgres(dir);
  return dir;
}

function traversableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (!existsSync(d)) continue;
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === dirname(d)) return true;
  }
}

function chownToPostgres(path: string): void {
  if (process.getuid?.() !== 0) return; // not root: we already are the user that runs postgres
  const { uid, gid } = postgresIds();
  chownSync(path, uid, gid);
}

let ids: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (ids) return ids;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${POSTGRES_USER}:`));
  if (!line) throw new Error(`no Unix user "${POSTGRES_USER}": install postgresql-15 (npm run setup)`);
  const [, , uid, gid] = line.split(':');
  ids = { uid: Number(uid), gid: Number(gid) };
  return ids;
}

/** Starts one server (as the postgres user) and returns its handle. */
function startServer(supervisor: Supervisor, spec: ServerSpec, socketDir: string): PostgresInstance {
  const settings = serverSettings({ port: spec.port, socketDir, name: spec.name });
  const proc = supervisor.start(spec.name, LOCAL_LAB_BINARIES.postgres.path, ['-D', spec.dataDir, ...settingsArgs(settings)], {
    runAs: POSTGRES_USER,
    stopSignal: 'SIGINT', // "fast" shutdown: ends sessions, no waiting for clients to leave
  });
  return {
    ...labProcess(supervisor, proc, {
      url: spec.url,
      defaultTimeoutMs: POSTGRES_WAIT_MS,
      // through the socket as the superuser: no password needed, so a fresh copy is reached too
      ready: async (wait) => {
        await waitUntil(`${spec.name} to accept connections`, proc, async () => {
          const client = new pg.Client({ host: socketDir, port: spec.port, user: POSTGRES_USER, database: 'postgres' });
          try {
            await client.connect();
            await client.query('SELECT 1');
            return true;
          } catch (error) {
            return notYet((error as Error).message);
          } finally {
            await client.end().catch(() => {});
          }
        }, wait);
      },
    }),
    role: spec.role,
    port: spec.port,
    dataDir: spec.dataDir,
  };
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

async function adminQuery(socketDir: string, port: number, database: string, statements: string[]): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: socketDir, port, user: POSTGRES_USER, database });
  await client.connect();
  try {
    let rows: Record<string, unknown>[] = [];
    for (const sql of statements) rows = (await client.query(sql)).rows;
    return rows;
  } finally {
    await client.end();
  }
}

function slotName(replicaIndex: number): string {
  return `replica_${replicaIndex + 1}`;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Runs a short setup tool (initdb, pg_basebackup) as the postgres user and waits for it. */
function runAsPostgres(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const [cmd, argv] = commandAs(POSTGRES_USER, command, args);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`could not run ${command}: ${err.message}`)));
    child.on('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} failed (${code ?? signal}):\n${output.trim()}`)));
  });
}
