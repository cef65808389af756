// The local lab (`--target local`) in one call: the same topology as the cluster, as processes on
// loopback — Postgres primary + 2 streaming replicas, a 6-node Redis cluster, their exporters,
// Prometheus (remote-write receiver, native histograms, the SLA alert rules), Alertmanager and
// the target service, migrated and seeded — and readiness proven, not assumed.
//
// Order, and why. Prometheus scrapes nothing before its discovery manager has handed the targets
// to the scrape manager: the lab's Prometheus 3.16 does so ~0.5 s after its start (Debian's 2.42
// took 5 s; see prometheus.ts), and a target added later may wait for discovery's backoff (up to
// 5 s). So the lab chooses every port first — Alertmanager, the target, both exporters and the six
// Redis nodes — and starts Prometheus before anything else with every scrape target already in its
// files: the first discovery update carries them all, and each is scraped `up` within one scrape
// interval (1 s) of its process coming up — the last is the target service, ~3 s in.
// Then Alertmanager and the data tier start at once; the database comes migrated and seeded from
// Postgres' data directory template (seeded once per machine, keyed by the migrations, the seed's
// code and its options); the target service, bundled by esbuild meanwhile, boots as plain node the
// moment the data tier is up, while migrate confirms the schema.
//
// Readiness follows events: every part's wait (lab/process/waitUntil.ts, through its handle's
// waitReady) runs from the moment the part starts, side by side, and the lab is ready when the
// last one is — in practice Prometheus' first `up` scrape of the target service, just after it is
// healthy; a part that dies fails the start at once, naming itself and quoting its log. Everything
// goes through one Supervisor, whose pid file in the state folder is what `stop()` and a kept
// lab's teardown use.

import { join } from 'node:path';
import { slaAlertRuleGroups } from '../alerts/slaRules.ts';
import type { AlertRoute } from '../config/types.ts';
import { checkDataTier, startDataTier, type DataTier, type DataTierPorts } from './dataTier.ts';
import { redisTarget } from './exporters.ts';
import { removePostgresData } from './postgres/placement.ts';
import { checkLabReadiness, type ReadinessReport } from './readiness.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import { Supervisor } from '../process/supervisor.ts';
import { REDIS_NODES } from './redisCluster.ts';
import { labRestartPolicy } from './restartPolicy.ts';
import { startAlertmanager, type LocalAlertmanager } from './alertmanager.ts';
import { LAB_JOBS, startPrometheus, type LocalPrometheus, type ScrapeTarget } from './prometheus.ts';
import { writeLabJson, writeLabSecrets, LAB_JSON_VERSION, type LabEndpoints } from './labJson.ts';
import { registerKeptLab, unregisterKeptLab, type KeptLabsOptions } from './keptLab.ts';
import { moveSeedDatesToNow, seededTemplateSetup } from './seededTemplate.ts';
import { bundleTarget, startTargetService, type LocalTarget } from './targetService.ts';
import { migrate } from '../../target/src/db/migrate.ts';
import type { SeedOptions } from '../../target/src/db/seed.ts';

/** Its home is readiness.ts; lab/run imports it from here for now. */
export type { ReadinessReport } from './readiness.ts';

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

/** What the data tier's scrape targets are made of: its exporters' and nodes' addresses (a DataTier has them). */
export interface DataTierAddresses {
  redis: { nodes: readonly string[] };
  exporters?: { postgres: { address: string }; redis: { address: string; targets: readonly string[] } } | undefined;
}

/** The scrape targets of the data tier's exporters (pure). */
export function dataTierScrapeTargets(tier: DataTierAddresses): ScrapeTarget[] {
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

/** The data tier's addresses from the ports chosen for it, before it runs (what Prometheus is told). */
function plannedDataTier(ports: DataTierPorts): DataTierAddresses {
  const nodes = ports.redis.map((port) => `${LOOPBACK}:${port}`);
  return {
    redis: { nodes },
    exporters: {
      postgres: { address: `${LOOPBACK}:${ports.postgresExporter}` },
      redis: { address: `${LOOPBACK}:${ports.redisExporter}`, targets: nodes.map(redisTarget) },
    },
  };
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

  // Every wait below stops when the caller aborts, or when another part of the start has failed.
  const giveUp = new AbortController();
  const waitSignal = signal ? AbortSignal.any([signal, giveUp.signal]) : giveUp.signal;

  // both esbuild runs (~0.1 s each) overlap with starting Prometheus and Alertmanager
  const templateSetup = track(seededTemplateSetup(options.seed));
  const targetBundle = withTarget ? track(bundleTarget(stateDir)) : undefined;
  try {
    if (signal?.aborted) throw new Error('aborted before the lab started');
    const [alertmanagerPort, targetPort, postgresExporterPort, redisExporterPort] = await freePorts(4);
    const dataTierPorts: DataTierPorts = {
      redis: await freePorts(REDIS_NODES, { withClusterBus: true }),
      postgresExporter: postgresExporterPort!,
      redisExporter: redisExporterPort!,
    };
    const alertmanagerAddress = `${LOOPBACK}:${alertmanagerPort}`;

    const prometheus = await startPrometheus({
      stateDir, supervisor, alertmanagerAddress,
      ruleGroups: slaAlertRuleGroups({
        ...(options.alertWindow ? { window: options.alertWindow } : {}),
        ...(options.alertFor ? { for: options.alertFor } : {}),
      }),
      externalLabels: { lab: 'local', run_id: runId },
      // every target, before it runs: the first discovery update carries them all
      scrapeTargets: [
        { job: LAB_JOBS.alertmanager, address: alertmanagerAddress },
        ...(withTarget ? [{ job: LAB_JOBS.target, address: `${LOOPBACK}:${targetPort}` }] : []),
        ...dataTierScrapeTargets(plannedDataTier(dataTierPorts)),
      ],
      // at the steady interval from the start: a switch later would replace every target (prometheus.ts)
    });
    log(`local lab: prometheus starting on ${prometheus.url}`);
    const prometheusReady = track(prometheus.waitReady(left(), waitSignal).then((r) => (mark('prometheus scraping every target'), r)));
    const alertmanager = await startAlertmanager({ stateDir, supervisor, port: alertmanagerPort, alertRoutes: options.alertRoutes ?? [] });
    const alertmanagerReady = track(alertmanager.waitReady(left(), waitSignal).then(() => mark('alertmanager ready')));

    const dataTierUp = track((async () => {
      const tier = await startDataTier({
        stateDir, supervisor, log: (line) => log(`local lab: ${line}`), withExporters: true, ports: dataTierPorts,
        templateSetup: await templateSetup,
        ...(options.templateCache !== undefined ? { templateCache: options.templateCache } : {}),
      });
      startedDataTier = tier;
      mark('data tier up');
      const { template } = tier.postgres;
      log(template.built
        ? `local lab: database migrated and seeded into a new template in ${template.setupMs} ms (${template.setupId})`
        : `local lab: database copied from the seeded template ${template.dir} (no seeding)`);
      if (waitSignal.aborted) throw new Error('aborted');
      return tier;
    })());

    // The template's schema and data, confirmed: migrate is a no-op on it (a lab never runs on
    // an outdated schema), and the seed's recent dates move to now.
    const databaseReady = track(dataTierUp.then(async (tier) => {
      await migrate(tier.postgres.primaryUrl);
      const moved = await moveSeedDatesToNow(tier.postgres.primaryUrl, tier.postgres.template.builtAt);
      mark('database migrated');
      log(`local lab: ${moved} seeded selections moved to now`);
    }));
    // The service needs only its env to boot (its health needs the database, which is ready).
    const targetStarted = withTarget
      ? track(dataTierUp.then(async (tier) => startTargetService({
        supervisor, bundle: await targetBundle!, port: targetPort!, dataTier: tier, ...(options.targetEnv ? { env: options.targetEnv } : {}),
      })))
      : undefined;
    const targetReady = targetStarted
      ? track(targetStarted.then(async (t) => {
        await t.waitReady(left(), waitSignal);
        mark('target healthy');
      }))
      : undefined;
    // the data tier's own checks, once it is up (what the readiness report shows)
    const dataChecked = track(dataTierUp.then(async (tier) => {
      const checks = await checkDataTier(tier);
      if (!checks.ok) {
        throw new Error(`data tier not ready: ${[checks.replication.problem, checks.redisCluster.problem].filter(Boolean).join('; ')}; see ${join(stateDir, 'logs')}`);
      }
      return checks;
    }));

    // ready when the last of them is; the first to fail fails the start
    const [dataTier, prometheusReadiness, dataChecks, target] = await Promise.all([
      dataTierUp, prometheusReady, dataChecked, targetStarted, databaseReady, alertmanagerReady, targetReady,
    ]);
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
    // from now on the lab heals itself as a cluster would: what dies is started again (restartPolicy.ts)
    supervisor.keepRunning(labRestartPolicy);
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
    // stop the other waits, let whatever was still starting register its processes, then stop them all
    giveUp.abort();
    await Promise.all(inFlight);
    await supervisor.stopAll();
    // as stop() does: the Postgres data in memory goes now, not at a later start's sweep
    if (startedDataTier) removePostgresData(startedDataTier.postgres.rootDir);
    const reason = (error as Error).message;
    throw new Error(`local lab not ready: ${reason}${reason.includes(stateDir) ? '' : ` (logs: ${join(stateDir, 'logs')})`}`, { cause: error });
  }
}
