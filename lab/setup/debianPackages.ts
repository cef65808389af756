// The distribution packages the local lab runs on, and an idempotent installer for them.
// One table: the binary the lab executes and the Debian package that provides it — or, for
// Prometheus and promtool, the builder that puts the pinned 3.x into .bin/ (lab/setup/prometheus.ts;
// Debian's prometheus 2.42 is no longer used by anything).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PROMETHEUS_BINARIES } from './prometheus.ts';
import { CHROMIUM_PATH } from '../k6/runnerContract.ts';

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export const LOCAL_LAB_BINARIES = {
  initdb: { path: `${POSTGRES_BIN}/initdb`, pkg: 'postgresql-15' },
  postgres: { path: `${POSTGRES_BIN}/postgres`, pkg: 'postgresql-15' },
  psql: { path: '/usr/bin/psql', pkg: 'postgresql-client-15' },
  redisServer: { path: '/usr/bin/redis-server', pkg: 'redis-server' },
  redisCli: { path: '/usr/bin/redis-cli', pkg: 'redis-tools' },
  // built from the Go module proxy by ensurePrometheus (ensureLocalLabTools, npm run setup)
  prometheus: { path: PROMETHEUS_BINARIES.prometheus, builtBy: 'ensurePrometheus' },
  promtool: { path: PROMETHEUS_BINARIES.promtool, builtBy: 'ensurePrometheus' },
  alertmanager: { path: '/usr/bin/prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  postgresExporter: { path: '/usr/bin/prometheus-postgres-exporter', pkg: 'prometheus-postgres-exporter' },
  redisExporter: { path: '/usr/bin/prometheus-redis-exporter', pkg: 'prometheus-redis-exporter' },
  // the simulated cluster's certificates (lab/sim/certs.ts)
  openssl: { path: '/usr/bin/openssl', pkg: 'openssl' },
  // the browser VUs' Chromium (k6/browser: the browser scenario, the hybrid critical journeys)
  chromium: { path: CHROMIUM_PATH, pkg: 'chromium' },
} as const;

export type LocalBinary = keyof typeof LOCAL_LAB_BINARIES;

/**
 * The browser the report's test opens report.html in (lab/report/reportBrowser.test.ts, through
 * playwright-core, which downloads none): Debian's chromium, the one the browser VUs run too
 * (installed by npm run setup and by the local lab's own setup).
 */
export const REPORT_BROWSER = {
  chromium: LOCAL_LAB_BINARIES.chromium,
} as const;

/** A binary the lab runs and the Debian package that provides it. */
export interface PackagedBinary {
  path: string;
  pkg: string;
}

/** A binary the lab runs that is built into .bin/, not installed by apt-get (`builtBy` names the function). */
export interface BuiltBinary {
  path: string;
  builtBy: string;
}

/** The Debian packages of the binaries that are missing (built binaries are their builder's business). */
export function missingPackages(binaries: Record<string, PackagedBinary | BuiltBinary> = LOCAL_LAB_BINARIES): string[] {
  const missing = Object.values(binaries)
    .filter((b): b is PackagedBinary => 'pkg' in b && !existsSync(b.path))
    .map((b) => b.pkg);
  return [...new Set(missing)];
}

/** The command that installs packages, as a user types it (and as the lab runs it as root). */
export function installCommand(packages: readonly string[]): string {
  return `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`;
}

export interface EnsurePackagesOptions {
  /** what to check (default LOCAL_LAB_BINARIES; a test points it at a binary that does not exist). */
  binaries?: Record<string, PackagedBinary | BuiltBinary>;
  /** may we install (default: running as root)? */
  canInstall?: boolean;
  /** runs one apt-get call; returns its exit status (default: apt-get itself, output shown). */
  aptGet?: (args: string[]) => number | null;
}

function runAptGet(args: string[]): number | null {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync('apt-get', args, { env, stdio: ['ignore', 'inherit', 'inherit'] }).status;
}

/**
 * Installs what is missing with apt-get (root only). The Debian packages start no service on a
 * machine without systemd; where a package's init script did start one, it is stopped again so
 * the lab owns every process it talks to.
 */
export function ensureDebianPackages(log: (line: string) => void = () => {}, options: EnsurePackagesOptions = {}): string[] {
  const missing = missingPackages(options.binaries);
  if (missing.length === 0) return [];
  if (!(options.canInstall ?? process.getuid?.() === 0)) {
    throw new MissingPackages(missing, `missing Debian packages: ${missing.join(' ')}; install them first (the lab installs them itself when run as root): ${installCommand(missing)}`);
  }
  log(`installing Debian packages: ${missing.join(' ')} (apt-get; once per machine)`);
  const aptGet = options.aptGet ?? runAptGet;
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const status = aptGet(args);
    if (status !== 0) throw new MissingPackages(missing, `apt-get ${args.join(' ')} failed with exit ${status}; install them by hand: ${installCommand(missing)}`);
  }
  for (const service of ['postgresql', 'redis-server', 'prometheus', 'prometheus-alertmanager',
    'prometheus-postgres-exporter', 'prometheus-redis-exporter', 'prometheus-node-exporter']) {
    spawnSync('service', [service, 'stop'], { stdio: 'ignore' });
  }
  return missing;
}

/** What could not be installed; the message names the command to run. */
export class MissingPackages extends Error {
  constructor(readonly packages: string[], message: string) {
    super(message);
  }
}
