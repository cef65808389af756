// The distribution packages the local lab runs on, and an idempotent installer for them.
// One table: the binary the lab executes and the Debian package that provides it.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export const LOCAL_LAB_BINARIES = {
  initdb: { path: `${POSTGRES_BIN}/initdb`, pkg: 'postgresql-15' },
  postgres: { path: `${POSTGRES_BIN}/postgres`, pkg: 'postgresql-15' },
  pgBasebackup: { path: `${POSTGRES_BIN}/pg_basebackup`, pkg: 'postgresql-15' },
  psql: { path: '/usr/bin/psql', pkg: 'postgresql-client-15' },
  redisServer: { path: '/usr/bin/redis-server', pkg: 'redis-server' },
  redisCli: { path: '/usr/bin/redis-cli', pkg: 'redis-tools' },
  prometheus: { path: '/usr/bin/prometheus', pkg: 'prometheus' },
  promtool: { path: '/usr/bin/promtool', pkg: 'prometheus' },
  alertmanager: { path: '/usr/bin/prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  postgresExporter: { path: '/usr/bin/prometheus-postgres-exporter', pkg: 'prometheus-postgres-exporter' },
  redisExporter: { path: '/usr/bin/prometheus-redis-exporter', pkg: 'prometheus-redis-exporter' },
} as const;

export type LocalBinary = keyof typeof LOCAL_LAB_BINARIES;

export function missingPackages(): string[] {
  const missing = Object.values(LOCAL_LAB_BINARIES)
    .filter((b) => !existsSync(b.path))
    .map((b) => b.pkg);
  return [...new Set(missing)];
}

/**
 * Installs what is missing with apt-get (root only). The Debian packages start no service on a
 * machine without systemd; where a package's init script did start one, it is stopped again so
 * the lab owns every process it talks to.
 */
export function ensureDebianPackages(log: (line: string) => void = () => {}): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}; run: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const run = spawnSync('apt-get', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with exit ${run.status}`);
  }
  for (const service of ['postgresql', 'redis-server', 'prometheus', 'prometheus-alertmanager',
    'prometheus-postgres-exporter', 'prometheus-redis-exporter', 'prometheus-node-exporter']) {
    spawnSync('service', [service, 'stop'], { stdio: 'ignore' });
  }
}
