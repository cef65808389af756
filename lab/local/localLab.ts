// The local lab (`--target local`) in one call: the same topology as the cluster, as processes on
// loopback — Postgres primary + 2 streaming replicas, a 6-node Redis cluster, their exporters,
// Prometheus (remote-write receiver, native histograms, the SLA alert rules), Alertmanager and
// the target service, migrated and seeded — and readiness proven, not assumed.
//
// Order, and why: Prometheus 2.42 hands discovered scrape targets to its scrapers on a 5-second
// tick counted from its own start, so it starts first, with every port the lab chooses itself
// (Alertmanager, target) already in its target files; the data tier's exporters are added the
// moment the data tier is up, which is before the first tick on this machine. Alertmanager and
// the data tier start at the same time. The database comes migrated and seeded from Postgres'
// data directory template (seeded once per machine, keyed by the migrations, the seed's code and
// its options); the target service, bundled by esbuild while the data tier starts, boots as plain
// node the moment the data tier is up, while migrate confirms the schema. Everything goes through
// one Supervisor, whose pid file in the state folder is what `stop()` and a kept lab's teardown use.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { PROJECT_ROOT } from '../paths.ts';
import { slaAlertRuleGroups } from '../alerts/slaRules.ts';
import type { AlertRoute } from '../config/types.ts';
import { checkDataTier, startDataTier, type DataTier } from './dataTier.ts';
import { removePostgresData } from './postgres/placement.ts';
import type { TemplateSetup } from './postgres/template.ts';
import type { RedisClusterCheck, ReplicationCheck } from './readiness.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import { Supervisor, type ManagedProcess } from '../process/supervisor.ts';
import { notYet, waitUntil } from '../process/waitUntil.ts';
import { startAlertmanager, type LocalAlertmanager } from './alertmanager.ts';
import { LAB_JOBS, scrapeTargetHealth, scrapeTargetsNotUp, startPrometheus, type LocalPrometheus, type ScrapeTarget, type TargetHealth } from './prometheus.ts';
import { writeLabJson, writeLabSecrets, LAB_JSON_VERSION, type LabEndpoints } from './labJson.ts';
import { registerKeptLab, unregisterKeptLab, type KeptLabsOptions } from './keptLab.ts';
import { MIGRATIONS, migrate } from '../../target/src/db/migrate.ts';
import { SEED_DEFAULTS, seed, type SeedOptions } from '../../target/src/db/seed.ts';
import { TARGET_NODE_FLAGS } from '../../target/src/nodeFlags.ts';

const TARGET_MAIN = 'target/src/main.ts';
const MIGRATE_SOURCE = 'target/src/db/migrate.ts';
const SEED_SOURCE = 'target/src/db/seed.ts';

/** The seed's options with every default filled in, keys sorted: the same data, the same key. */
export function seedOptionsFor(seedOptions: Partial<SeedOptions> = {}): SeedOptions {
  const full: Record<string, number> = { ...SEED_DEFAULTS, ...seedOptions };
  return Object.fromEntries(Object.keys(full).sort().map((k) => [k, full[k]!])) as unknown as SeedOptions;
}

/**
 * The id of a migrated + seeded template (pure): the migrations (ids and SQL), the seed's
 * options, and the source of every local module migrate.ts and seed.ts load (`sources`: path ->
 * contents; the seed's careers and content come from catalogue.ts and content.ts). Any change in
 * them names a new template, so a lab never runs on data an older seed wrote.
 */
export function seedTemplateId(input: { seed: SeedOptions; sources: Record<string, string>; migrations?: readonly { id: string; sql: string }[] }): string {
  const hash = createHash('sha256').update(JSON.stringify({
    migrations: (input.migrations ?? MIGRATIONS).map((m) => [m.id, m.sql]),
    seed: input.seed,
    sources: Object.keys(input.sources).sort().map((path) => [path, createHash('sha256').update(input.sources[path]!).digest('hex')]),
  })).digest('hex');
  return `migrate+seed-${hash.slice(0, 16)}`;
}

/** The local source files migrate.ts and seed.ts load (esbuild's view of their imports; ~50 ms). */
export async function seedSources(): Promise<Record<string, string>> {
  const result = await build({
    entryPoints: [MIGRATE_SOURCE, SEED_SOURCE].map((f) => join(PROJECT_ROOT, f)),
    absWorkingDir: PROJECT_ROOT, bundle: true, write: false, metafile: true, packages: 'external',
    platform: 'node', format: 'esm', outdir: 'unused', logLevel: 'silent',
  });
  return Object.fromEntries(Object.keys(result.metafile.inputs).sort().map((path) => [path, readFileSync(join(PROJECT_ROOT, path), 'utf8')]));
}

/**
 * The template setup of the lab's database: the target's migrations and seed, run once per
 * machine while Postgres' template is built (see lab/local/postgres.ts); every lab then copies it.
 */
export async function seededTemplateSetup(seedOptions: Partial<SeedOptions> = {}): Promise<TemplateSetup & { seed: SeedOptions }> {
  const options = seedOptionsFor(seedOptions);
  return {
    id: seedTemplateId({ seed: options, sources: await seedSources() }),
    seed: options,
    run: async (primaryUrl) => {
      await migrate(primaryUrl);
      await seed(primaryUrl, options);
    },
  };
}

/**
 * The service's time windows (trending: selections of the last day; a student's pool: not chosen
 * in the last 5 days) read career_history.selected_date, which the seed writes relative to its own
 * now(). A template seeded days ago would have nothing "recent", so each start moves the rows of
 * the seed's last 5 days forward by the template's age (the seed's ~5 000 recent selections; the
 * volume history is older than 6 days and stays so). Returns the rows moved.
 */
export async function moveSeedDatesToNow(primaryUrl: string, seededAt: string): Promise<number> {
  const client = new pg.Client({ connectionString: primaryUrl, application_name: 'perflab-lab' });
  await client.connect();
  try {
    const result = await client.query(
      `UPDATE career_history SET selected_date = selected_date + (now() - $1::timestamptz)
       WHERE selected_date > $1::timestamptz - interval '5 days' AND selected_date <= $1::timestamptz`,
      [seededAt],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

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
 * target/src/config.ts. Not imported from target/src/withDataTier.ts, which would load the whole
 * service (Fastify and all) into the lab's own process.
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

/** Scrape job names of the data tier's exporters. */
export const DATA_TIER_JOBS = { postgres: 'postgres', redis: 'redis' } as const;

export interface StartLocalLabOptions {
  runId: string;
  /** the run's state folder: data, configs, logs, pid file. */
  stateDir: string;
  log?: (line: string) => void;
  /** extra environment for the target service (TARGET_INJECT_LATENCY_MS, LOG_LEVEL, ...). */
  targetEnv?: Record<string, string>;
  /** start the target service (default true; false when --base-url points at another service). */
  withTarget?: boolean;
  /** seed data volume (default: the target's SEED_DEFAULTS); part of the seeded template's key. */
  seed?: Partial<SeedOptions>;
  /** Postgres' template cache (see startPostgres; default os.tmpdir(), false: one for this run only). */
  templateCache?: string | false;
  /** the lab config's Alertmanager routes (default none: alerts stay in Alertmanager). */
  alertRoutes?: readonly AlertRoute[];
  /** alert rule window and `for` (default lab/alerts' defaults, as on the cluster). */
  alertWindow?: string;
  alertFor?: string;
  /** give up the start (Ctrl-C): everything started so far is stopped. */
  signal?: AbortSignal;
  /** how long to wait for all checks to be green (default 60 s). */
  readyTimeoutMs?: number;
}

export interface ReadinessReport {
  ok: boolean;
  checkedAt: string;
  /** ms from the call to all green (the start's report only). */
  coldStartMs?: number;
  /** ms from the start of the call at which each part was ready (the start's report only). */
  phasesMs?: Record<string, number>;
  replication: ReplicationCheck;
  redisCluster: RedisClusterCheck;
  prometheus: { ok: boolean; url: string; targets: TargetHealth[]; problem?: string };
  alertmanager: { ok: boolean; url: string; problem?: string };
  target?: { ok: boolean; url: string; status: string; problem?: string };
  /** what is not green, in words (empty when ok). */
  problems: string[];
}

export interface LocalTarget {
  url: string;
  process: ManagedProcess;
}

export interface LocalLab {
  runId: string;
  stateDir: string;
  endpoints: LabEndpoints;
  /** the readiness proven at start, as data (for summary.json). */
  readiness: ReadinessReport;
  supervisor: Supervisor;
  dataTier: DataTier;
  prometheus: LocalPrometheus;
  alertmanager: LocalAlertmanager;
  target?: LocalTarget;
  /** checks everything again now (e.g. after the run, for the summary's end-of-run checks). */
  checkReadiness(): Promise<ReadinessReport>;
  /** writes results/<run-id>/lab.json; returns its path. */
  writeLabJson(resultsDir: string, opts?: { kept?: boolean }): string;
  /** leaves the lab up after this process exits: lab.json says so and `lab:down` will find it. */
  keep(resultsDir: string, options?: KeptLabsOptions): { labJson: string; registry: string };
  /** stops every process this lab started (idempotent). */
  stop(): Promise<void>;
}

/** The scrape targets of the data tier's exporters (pure). */
export function dataTierScrapeTargets(tier: Pick<DataTier, 'exporters' | 'redis'>): ScrapeTarget[] {
  const exporters = tier.exporters;
  if (!exporters) return [];
  return [
    { job: DATA_TIER_JOBS.postgres, address: exporters.postgres.address, labels: { role: 'primary' } },
    // one redis_exporter, every node through its multi-target /scrape endpoint
    ...tier.redis.nodes.map((node, i): ScrapeTarget => ({
      job: DATA_TIER_JOBS.redis,
      address: exporters.redis.address,
      metricsPath: '/scrape',
      params: { target: exporters.redis.targets[i]! },
      instance: node,
    })),
  ];
}

async function targetHealth(url: string): Promise<{ ok: boolean; status: string; problem?: string }> {
  try {
    const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json()) as { status?: string };
    const status = body.status ?? `HTTP ${response.status}`;
    return status === 'healthy' ? { ok: true, status } : { ok: false, status, problem: `target health is ${status}` };
  } catch (error) {
    return { ok: false, status: 'unreachable', problem: `target not answering: ${(error as Error).message}` };
  }
}

async function waitTargetHealthy(url: string, proc: ManagedProcess, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await waitUntil(`the target service at ${url} to be healthy`, proc, async () => {
    const health = await targetHealth(url);
    return health.ok || notYet(health.problem ?? health.status);
  }, { timeoutMs, signal, exited: (_, how) => `target service exited (${how}) before it was healthy` });
}

export async function startLocalLab(options: StartLocalLabOptions): Promise<LocalLab> {
  const t0 = Date.now();
  const { runId, stateDir, signal } = options;
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`runId must be letters, digits, '.', '_' or '-', got ${JSON.stringify(runId)}`);
  const log = options.log ?? (() => {});
  const withTarget = options.withTarget ?? true;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = t0 + readyTimeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const phasesMs: Record<string, number> = {};
  const mark = (phase: string) => {
    phasesMs[phase] = Date.now() - t0;
    log(`local lab: ${phase} after ${phasesMs[phase]} ms`);
  };
  const supervisor = new Supervisor(stateDir);
  const inFlight: Promise<unknown>[] = [];
  let startedDataTier: DataTier | undefined;
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.push(p.catch(() => {}));
    return p;
  };

  // both esbuild runs (~0.1 s each) overlap with starting Prometheus and Alertmanager
  const templateSetup = track(seededTemplateSetup(options.seed));
  const targetBundle = withTarget ? track(bundleTarget(stateDir)) : undefined;
  try {
    if (signal?.aborted) throw new Error('aborted before the lab started');
    const [alertmanagerPort, targetPort] = await freePorts(2);
    const alertmanagerAddress = `${LOOPBACK}:${alertmanagerPort}`;
    const targetUrl = `http://${LOOPBACK}:${targetPort}`;

    const prometheus = await startPrometheus({
      stateDir, supervisor, alertmanagerAddress,
      ruleGroups: slaAlertRuleGroups({
        ...(options.alertWindow ? { window: options.alertWindow } : {}),
        ...(options.alertFor ? { for: options.alertFor } : {}),
      }),
      externalLabels: { lab: 'local', run_id: runId },
      scrapeTargets: [
        { job: LAB_JOBS.alertmanager, address: alertmanagerAddress },
        ...(withTarget ? [{ job: LAB_JOBS.target, address: `${LOOPBACK}:${targetPort}` }] : []),
      ],
    });
    log(`local lab: prometheus starting on ${prometheus.url}`);
    const alertmanager = await startAlertmanager({ stateDir, supervisor, port: alertmanagerPort, alertRoutes: options.alertRoutes ?? [] });
    const alertmanagerReady = track(alertmanager.waitReady(left()).then(() => mark('alertmanager ready')));

    const dataTier = await track(startDataTier({
      stateDir, supervisor, log: (line) => log(`local lab: ${line}`), withExporters: true,
      templateSetup: await templateSetup,
      ...(options.templateCache !== undefined ? { templateCache: options.templateCache } : {}),
    }));
    startedDataTier = dataTier;
    prometheus.setScrapeTargets('data-tier', dataTierScrapeTargets(dataTier));
    mark('data tier up');
    const { template } = dataTier.postgres;
    log(template.built
      ? `local lab: database migrated and seeded into a new template in ${template.setupMs} ms (${template.setupId})`
      : `local lab: database copied from the seeded template ${template.dir} (no seeding)`);
    if (signal?.aborted) throw new Error('aborted');

    // The template's schema and data, confirmed: migrate is a no-op on it (a lab never runs on
    // an outdated schema), and the seed's recent dates move to now.
    const database = track((async () => {
      await migrate(dataTier.postgres.primaryUrl);
      const moved = await moveSeedDatesToNow(dataTier.postgres.primaryUrl, template.builtAt);
      mark('database migrated');
      log(`local lab: ${moved} seeded selections moved to now`);
    })());
    let target: LocalTarget | undefined;
    if (withTarget) {
      // The service needs only its env to boot (its health needs the database, which is ready).
      const env: NodeJS.ProcessEnv = { ...process.env, ...targetServiceEnv(dataTier, targetPort, options.targetEnv) };
      delete env.NODE_TEST_CONTEXT; // the service is not a test, even when a test starts the lab
      const proc = supervisor.start('target', process.execPath, targetNodeArgs(await targetBundle!), { cwd: PROJECT_ROOT, env });
      target = { url: targetUrl, process: proc };
      await Promise.all([database, track(waitTargetHealthy(targetUrl, proc, left(), signal).then(() => mark('target healthy')))]);
    } else {
      await database;
    }
    await alertmanagerReady;
    const [prometheusReadiness, dataChecks] = await Promise.all([
      track(prometheus.waitReady(left()).then((r) => (mark('prometheus scraping every target'), r))),
      checkDataTier(dataTier),
    ]);
    if (!dataChecks.ok) {
      throw new Error(`data tier not ready: ${[dataChecks.replication.problem, dataChecks.redisCluster.problem].filter(Boolean).join('; ')}; see ${join(stateDir, 'logs')}`);
    }
    const coldStartMs = Date.now() - t0;
    const readiness: ReadinessReport = {
      ok: true,
      checkedAt: new Date().toISOString(),
      coldStartMs,
      phasesMs,
      replication: dataChecks.replication,
      redisCluster: dataChecks.redisCluster,
      prometheus: { ok: true, url: prometheus.url, targets: prometheusReadiness.targets },
      alertmanager: { ok: true, url: alertmanager.url },
      ...(target ? { target: { ok: true, url: target.url, status: 'healthy' } } : {}),
      problems: [],
    };
    log(`local lab: ready in ${coldStartMs} ms (${dataChecks.replication.streamingReplicas} replicas streaming, cluster_state ${dataChecks.redisCluster.clusterState}, ${prometheusReadiness.targets.length} scrape targets up${target ? ', target healthy' : ''})`);

    const secretsFile = writeLabSecrets(stateDir, {
      postgres: { appUrl: dataTier.postgres.primaryUrl, adminUrl: dataTier.postgres.admin.url, monitorUrl: dataTier.postgres.monitor.url },
      redis: { password: dataTier.redis.password },
    });
    const endpoints: LabEndpoints = {
      ...(target ? { targetBaseUrl: target.url } : {}),
      prometheusUrl: prometheus.url,
      prometheusRemoteWriteUrl: prometheus.remoteWriteUrl,
      alertmanagerUrl: alertmanager.url,
      postgres: {
        database: dataTier.postgres.database,
        primary: `${LOOPBACK}:${dataTier.postgres.primary.port}`,
        replicas: dataTier.postgres.replicas.map((r) => `${LOOPBACK}:${r.port}`),
        user: dataTier.postgres.app.user,
      },
      redis: { nodes: [...dataTier.redis.nodes] },
      exporters: {
        ...(dataTier.exporters ? { postgres: dataTier.exporters.postgres.metricsUrl, redis: dataTier.exporters.redis.metricsUrl } : {}),
      },
      stateDir,
      secretsFile,
    };
    const startedAt = new Date(t0).toISOString();
    let stopped = false;
    let keptIn: KeptLabsOptions | undefined;
    const lab: LocalLab = {
      runId, stateDir, endpoints, readiness, supervisor, dataTier, prometheus, alertmanager,
      ...(target ? { target } : {}),
      checkReadiness: () => checkLabReadiness({ dataTier, prometheus, alertmanager, target }),
      writeLabJson: (resultsDir, opts = {}) =>
        writeLabJson(resultsDir, { version: LAB_JSON_VERSION, target: 'local', runId, startedAt, kept: opts.kept ?? false, endpoints }),
      keep: (resultsDir, keptOptions = {}) => {
        const labJson = lab.writeLabJson(resultsDir, { kept: true });
        keptIn = keptOptions;
        return { labJson, registry: registerKeptLab({ runId, stateDir, labJson }, keptOptions) };
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await supervisor.stopAll();
        // the Postgres data lives in memory (/dev/shm): free it now rather than at a later sweep
        removePostgresData(dataTier.postgres.rootDir);
        if (keptIn) unregisterKeptLab(runId, keptIn);
      },
    };
    return lab;
  } catch (error) {
    // let whatever was still starting register its processes, then stop them all
    await Promise.all(inFlight);
    await supervisor.stopAll();
    // as stop() does: the Postgres data in memory goes now, not at a later start's sweep
    if (startedDataTier) removePostgresData(startedDataTier.postgres.rootDir);
    const reason = (error as Error).message;
    throw new Error(`local lab not ready: ${reason}${reason.includes(stateDir) ? '' : ` (logs: ${join(stateDir, 'logs')})`}`, { cause: error });
  }
}

/** Every readiness check of a running lab, as data; never throws. */
export async function checkLabReadiness(parts: {
  dataTier: DataTier;
  prometheus: LocalPrometheus;
  alertmanager: LocalAlertmanager;
  target?: LocalTarget | undefined;
}): Promise<ReadinessReport> {
  const { dataTier, prometheus, alertmanager, target } = parts;
  const [data, targets, alertmanagerOk, health] = await Promise.all([
    checkDataTier(dataTier),
    scrapeTargetHealth(prometheus.url).catch((error: Error) => error),
    fetch(`${alertmanager.url}/-/ready`).then((r) => r.ok, () => false),
    target ? targetHealth(target.url) : Promise.resolve(undefined),
  ]);
  const down = targets instanceof Error
    ? [`prometheus unreachable: ${targets.message}`]
    : scrapeTargetsNotUp(prometheus.expectedTargets(), targets);
  const prometheusProblem = down.length ? `scrape targets not up: ${down.join('; ')}` : undefined;
  const problems = [
    data.replication.problem && `replication: ${data.replication.problem}`,
    data.redisCluster.problem && `redis cluster: ${data.redisCluster.problem}`,
    prometheusProblem,
    !alertmanagerOk && 'alertmanager not ready',
    health && !health.ok && health.problem,
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return {
    ok: problems.length === 0,
    checkedAt: new Date().toISOString(),
    replication: data.replication,
    redisCluster: data.redisCluster,
    prometheus: {
      ok: !prometheusProblem, url: prometheus.url, targets: targets instanceof Error ? [] : targets,
      ...(prometheusProblem ? { problem: prometheusProblem } : {}),
    },
    alertmanager: { ok: alertmanagerOk, url: alertmanager.url, ...(alertmanagerOk ? {} : { problem: 'not ready' }) },
    ...(target && health ? { target: { ok: health.ok, url: target.url, status: health.status, ...(health.problem ? { problem: health.problem } : {}) } } : {}),
    problems,
  };
}
