// The service under test as one of the lab's processes: bundled by esbuild, run by plain node with
// the service's own flags and its environment on the lab's data tier, and ready once its health
// endpoint says `healthy`. The lab runs the service; the service never imports the lab.

import { mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../paths.ts';
import type { Supervisor } from '../process/supervisor.ts';
import { labProcess, type LabProcess } from '../process/labProcess.ts';
import { notYet, waitUntil } from '../process/waitUntil.ts';
import type { DataTier } from './dataTier.ts';
import { LOOPBACK } from './ports.ts';
import { targetHealth } from './readiness.ts';
import { TARGET_NODE_FLAGS } from '../../target/src/nodeFlags.ts';

const TARGET_MAIN = 'target/src/main.ts';

/** The target service's handle (`name` 'target', `url` its base URL); waitReady: its health says `healthy`. */
export type LocalTarget = LabProcess;

/**
 * Bundles the target service (target/src/main.ts) with esbuild into <stateDir>/target/main.mjs
 * (~0.1 s; rebuilt every start, so it is never stale): plain node then boots it in a fraction of
 * the time node + tsx take to transpile its modules. Packages stay external and resolve from the
 * project's node_modules, linked beside the bundle. Source maps inline (run with
 * --enable-source-maps: stack traces name the .ts files, as under tsx).
 */
export async function bundleTarget(stateDir: string): Promise<string> {
  const dir = join(resolve(stateDir), 'target');
  mkdirSync(dir, { recursive: true });
  try {
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const outfile = join(dir, 'main.mjs');
  await build({
    entryPoints: [join(PROJECT_ROOT, TARGET_MAIN)], absWorkingDir: PROJECT_ROOT, outfile,
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external',
    sourcemap: 'inline', logLevel: 'silent',
  });
  return outfile;
}

/** argv for node to run the bundled service: the service's own flags (nodeFlags.ts), then the bundle. */
export function targetNodeArgs(bundle: string): string[] {
  return [...TARGET_NODE_FLAGS, '--enable-source-maps', bundle];
}

/**
 * The target service's environment on this data tier (pure): the variables of
 * target/src/config.ts (targetOnDataTier.ts uses it too). It lives here, not with the service's
 * config, so the lab does not load the whole service (Fastify and all) into its own process.
 */
export function targetServiceEnv(tier: Pick<DataTier, 'postgres' | 'redis'>, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: String(port),
    HOST: LOOPBACK,
    DATABASE_PRIMARY_URL: tier.postgres.primaryUrl,
    DATABASE_REPLICA_URLS: tier.postgres.replicaUrls.join(','),
    REDIS_NODES: tier.redis.nodes.join(','),
    REDIS_PASSWORD: tier.redis.password,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface StartTargetServiceOptions {
  supervisor: Supervisor;
  /** the bundle bundleTarget wrote. */
  bundle: string;
  /** where it listens (127.0.0.1). */
  port: number;
  /** the data tier it serves from. */
  dataTier: Pick<DataTier, 'postgres' | 'redis'>;
  /** extra environment (TARGET_INJECT_LATENCY_MS, LOG_LEVEL, ...). */
  env?: Record<string, string>;
}

/** Starts the bundled service as supervisor process `target` (not waiting for it: see waitReady). */
export function startTargetService(options: StartTargetServiceOptions): LocalTarget {
  const url = `http://${LOOPBACK}:${options.port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...targetServiceEnv(options.dataTier, options.port, options.env) };
  delete env.NODE_TEST_CONTEXT; // the service is not a test, even when a test starts the lab
  const proc = options.supervisor.start('target', process.execPath, targetNodeArgs(options.bundle), { cwd: PROJECT_ROOT, env });
  return labProcess(options.supervisor, proc, {
    url,
    defaultTimeoutMs: 60_000,
    ready: async (wait) => {
      await waitUntil(`the target service at ${url} to be healthy`, proc, async () => {
        const health = await targetHealth(url);
        return health.ok || notYet(health.problem ?? health.status);
      }, { ...wait, exited: (_, how) => `target service exited (${how}) before it was healthy` });
    },
  });
}
