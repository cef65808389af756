// One Postgres server of the lab: started as the postgres user by the Supervisor (so stopAll and
// the pid file cover it), and its handle, ready once it accepts connections; plus the superuser's
// way in (the unix socket: trust, the socket folder being postgres' own).

import pg from 'pg';
import { LOCAL_LAB_BINARIES } from '../../setup/debianPackages.ts';
import type { Supervisor } from '../../process/supervisor.ts';
import { labProcess, type LabProcess } from '../../process/labProcess.ts';
import { notYet, waitUntil } from '../../process/waitUntil.ts';
import { POSTGRES_USER } from './osUser.ts';
import { serverSettings, settingsArgs } from './settings.ts';

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
export type ServerSpec = Pick<PostgresInstance, 'name' | 'role' | 'port' | 'dataDir' | 'url'>;

/** How long a server may take to accept connections, and the standbys to stream. */
export const POSTGRES_WAIT_MS = 30_000;

/** Starts one server (as the postgres user) and returns its handle. */
export function startServer(supervisor: Supervisor, spec: ServerSpec, socketDir: string): PostgresInstance {
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

export async function adminQuery(socketDir: string, port: number, database: string, statements: string[]): Promise<Record<string, unknown>[]> {
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
