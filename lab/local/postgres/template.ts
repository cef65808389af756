// The data directory template: initdb is the slow part of a start, so it runs once per machine
// (with the lab's roles, database, extension, replication slots and, optionally, a setup such as
// the target's migrations and seed) and every lab copies the result. Kept in a cache folder, keyed
// by a hash of what went into it; built under a temporary name and renamed into place only when
// complete, so two labs starting at once are safe and a half-built template is never copied.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LOCAL_LAB_BINARIES } from '../../setup/debianPackages.ts';
import type { Supervisor } from '../../process/supervisor.ts';
import { freePorts, LOOPBACK } from '../ports.ts';
import { generatePassword } from '../passwords.ts';
import { chownToPostgres, POSTGRES_USER, runAsPostgres } from './osUser.ts';
import { socketFolder, TEMPLATE_BUILD_PREFIX, TEMPLATE_PREFIX, traversableByOthers } from './placement.ts';
import { adminQuery, startServer } from './server.ts';
import { APP_ROLE, DATABASE, hbaConf, literal, MONITOR_ROLE, postgresUrl, REPLICATION_ROLE, slotName } from './settings.ts';

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

/** Bump when the template's recipe changes, so no lab starts from an old one. */
const TEMPLATE_RECIPE = 2;

/**
 * The template: a data directory as initdb leaves it plus the lab's roles (without passwords),
 * database, extension and one replication slot per standby, cleanly shut down. Every lab copies
 * it three times: a copy of a cleanly stopped primary is a valid base backup (same system id, a
 * checkpoint to start recovery from), so the standbys need no pg_basebackup, and no lab pays for
 * initdb more than once per machine. The name carries a hash of what went into it.
 */
export async function ensureTemplate(input: {
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
export function copyDataDir(from: string, to: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('cp', ['-a', from, to], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`cp -a ${from} ${to} failed: ${errors.trim()}`))));
  });
}
