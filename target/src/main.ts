// The container's entry point: configuration from the environment only (see docs/target.md),
// optional migrations and seed on start, graceful shutdown on SIGTERM / SIGINT.
//
//   node --import tsx target/src/main.ts

import { configFromEnv } from './config.ts';
import { migrate } from './db/migrate.ts';
import { seed } from './db/seed.ts';
import { startTarget } from './server.ts';

const HELP = `Usage: node --import tsx target/src/main.ts [--help]

Starts the target service. Configured by environment variables only:
  PORT (8080), HOST (0.0.0.0), DATABASE_PRIMARY_URL (required), DATABASE_REPLICA_URLS,
  DATABASE_REPLICA_HOSTS, DATABASE_POOL_MAX (20), REDIS_NODES (required), REDIS_PASSWORD,
  RATE_LIMIT_MAX (6000000), RATE_LIMIT_WINDOW_MS (60000), TARGET_INJECT_LATENCY_MS (0),
  LOG_LEVEL (info), REALTIME_INTERVAL_MS (1000), MIGRATE_ON_START (false), SEED_ON_START (false).
See docs/target.md for each.`;

function flag(name: string): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected true or false`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  if (process.argv.length > 2) throw new Error(`unknown argument ${process.argv[2]}: the service is configured by env only\n\n${HELP}`);
  const config = configFromEnv(process.env);
  const log = (line: string) => console.log(JSON.stringify({ level: 30, time: Date.now(), msg: line }));
  if (flag('MIGRATE_ON_START')) await migrate(config.primaryUrl, log);
  if (flag('SEED_ON_START')) await seed(config.primaryUrl, {}, log);
  const target = await startTarget(config);
  target.app.log.info({ url: target.url, replicas: config.replicaUrls.length }, 'target listening');
  let signalled = false;
  const stop = (signal: string) => {
    if (signalled) return;
    signalled = true;
    target.app.log.info({ signal }, 'shutting down: draining connections');
    const force = setTimeout(() => {
      target.app.log.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    target.close().then(
      () => process.exit(0),
      (err: Error) => {
        target.app.log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(2);
});
