// The target on the local lab's data tier, in one call, for tests and benchmarks: start Postgres
// (primary + 2 replicas) and the 6-node Redis cluster (dataTier.ts), migrate, seed, and start the
// service inside this process on a free loopback port (the local lab itself runs the service as
// its own process instead: targetService.ts). It lives with the lab, not in target/src: the
// service under test never imports the lab.

import { startDataTier, type DataTier } from './dataTier.ts';
import type { Supervisor } from '../process/supervisor.ts';
import { targetServiceEnv } from './targetService.ts';
import { configFromEnv, type TargetConfig } from '../../target/src/config.ts';
import { migrate } from '../../target/src/db/migrate.ts';
import { seed, type SeedOptions } from '../../target/src/db/seed.ts';
import { startTarget, type RunningTarget } from '../../target/src/server.ts';

export interface TargetOnDataTier {
  tier: DataTier;
  target: RunningTarget;
  config: TargetConfig;
  /** the config as environment variables (to start main.ts as a process). */
  env: Record<string, string>;
}

export interface StartOptions {
  stateDir: string;
  supervisor: Supervisor;
  log?: (line: string) => void;
  seed?: Partial<SeedOptions>;
  /** extra environment (RATE_LIMIT_MAX, TARGET_INJECT_LATENCY_MS, LOG_LEVEL...). */
  env?: Record<string, string>;
}

/** The service's environment on this data tier, on a free port (PORT 0). */
export function targetEnv(tier: DataTier, extra: Record<string, string> = {}): Record<string, string> {
  return targetServiceEnv(tier, 0, extra);
}

export async function startTargetOnDataTier(options: StartOptions): Promise<TargetOnDataTier> {
  const tier = await startDataTier({ stateDir: options.stateDir, supervisor: options.supervisor, ...(options.log ? { log: options.log } : {}) });
  await migrate(tier.postgres.primaryUrl, options.log);
  await seed(tier.postgres.primaryUrl, options.seed ?? {}, options.log);
  const env = targetEnv(tier, options.env);
  const config = configFromEnv(env);
  const target = await startTarget(config);
  return { tier, target, config, env };
}
