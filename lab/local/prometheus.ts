// The local lab's Prometheus: the Debian prometheus 2.42 as a supervised process on a free
// loopback port, receiving k6's remote-write (native histograms) and scraping every lab process.
//
// The tick. Prometheus 2.42 scrapes nothing it has not been handed by its discovery manager, and
// that manager hands over discovered targets on a fixed 5-second ticker started with the process
// (discovery/manager.go `updatert`; the scrape manager's reloader then waits on its own 5-second
// ticker, and no flag goes below 5 s, not even the hidden --scrape.discovery-reload-interval). So
// the first scrape of anything happens about 5 s after Prometheus started, at the earliest, and a
// target discovered after a tick waits for the next one, 5 s later. Each new target is then
// scraped at its own offset within one scrape interval (a hash of its labels): with a 1 s interval
// the last of ten targets is scraped up to ~1 s after the tick.
//
// Hence: startLocalLab starts Prometheus first, with every target already in its files (file_sd,
// read at start), so the first tick carries them all whenever their processes come up; and with
// `firstScrapeInterval` the first scrapes run at a short interval, all within it of the tick,
// after which waitReady reloads the config (SIGHUP) at the steady interval. Targets come from files
// in the run's state folder, so they can also be added after the start (setScrapeTargets).

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { freePort, LOOPBACK } from './ports.ts';
import type { ManagedProcess, Supervisor } from '../process/supervisor.ts';
import { labProcess, type LabProcess } from '../process/labProcess.ts';
import { notYet, waitUntil, type WaitOptions } from '../process/waitUntil.ts';

/** Something Prometheus scrapes: `job` is the label the alert rules and queries select on. */
export interface ScrapeTarget {
  job: string;
  /** host:port */
  address: string;
  /** default /metrics */
  metricsPath?: string;
  /** URL query parameters (a multi-target exporter's `target`). */
  params?: Record<string, string>;
  /** the `instance` label; default the address (set it when several targets share an exporter). */
  instance?: string;
  /** extra target labels (e.g. role="primary"). */
  labels?: Record<string, string>;
}

/** A Prometheus rule group, as it appears in a rule file. */
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: ReadonlyArray<{
    alert?: string;
    record?: string;
    expr: string;
    for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }>;
}

export interface PrometheusConfigInput {
  /** where the file_sd target files live (`*.json` in it are read). */
  targetsDir: string;
  ruleFiles: string[];
  /** host:port of the Alertmanager to send alerts to, if any. */
  alertmanagerAddress?: string;
  scrapeInterval: string;
  evaluationInterval: string;
  externalLabels?: Record<string, string>;
}

/** The lab's scrape interval: short, so a 1-minute CI run has enough points and readiness is quick. */
export const DEFAULT_SCRAPE_INTERVAL = '1s';
export const DEFAULT_EVALUATION_INTERVAL = '5s';
/** The job names the lab's own targets are scraped under (the target's is what promql.ts selects). */
export const LAB_JOBS = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  target: 'target',
} as const;

/** prometheus.yml for the local lab (pure). */
export function prometheusConfig(input: PrometheusConfigInput): Record<string, unknown> {
  return {
    global: {
      scrape_interval: input.scrapeInterval,
      scrape_timeout: input.scrapeInterval,
      evaluation_interval: input.evaluationInterval,
      ...(input.externalLabels ? { external_labels: input.externalLabels } : {}),
    },
    rule_files: input.ruleFiles,
    ...(input.alertmanagerAddress
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [input.alertmanagerAddress] }] }] } }
      : {}),
    // One scrape config: each target file sets `job` (and the metrics path) per target, so a new
    // kind of lab process needs a target, not a config change.
    scrape_configs: [{ job_name: 'lab', file_sd_configs: [{ files: [join(input.targetsDir, '*.json')] }] }],
  };
}

/** A file_sd document for targets (pure): one group per target, labels carry job and path. */
export function fileSdGroups(targets: readonly ScrapeTarget[]): Array<{ targets: string[]; labels: Record<string, string> }> {
  return targets.map((t) => ({
    targets: [t.address],
    labels: {
      ...t.labels,
      job: t.job,
      __metrics_path__: t.metricsPath ?? '/metrics',
      ...(t.instance ? { instance: t.instance } : {}),
      ...Object.fromEntries(Object.entries(t.params ?? {}).map(([k, v]) => [`__param_${k}`, v])),
    },
  }));
}

/** A rule file's text for groups (pure). */
export function ruleFileYaml(groups: readonly RuleGroup[]): string {
  return YAML.stringify({ groups }, { lineWidth: 0 });
}

export interface TargetHealth {
  job: string;
  /** the `instance` label (the address unless the target set one). */
  instance: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface PrometheusReadiness {
  ready: boolean;
  targets: TargetHealth[];
}

/**
 * Prometheus' handle (`url` http://127.0.0.1:<port>). waitReady: until /-/ready answers and every
 * expected target has been scraped and is `up`; fails naming the targets that are not.
 */
export interface LocalPrometheus extends LabProcess<PrometheusReadiness> {
  port: number;
  /** where k6 remote-writes (K6_PROMETHEUS_RW_SERVER_URL). */
  remoteWriteUrl: string;
  dir: string;
  /** Replaces the targets of one named file (e.g. 'data-tier'); Prometheus picks it up itself. */
  setScrapeTargets(name: string, targets: readonly ScrapeTarget[]): void;
  /** Every target the lab expects Prometheus to scrape, from every file. */
  expectedTargets(): ScrapeTarget[];
}

export interface StartPrometheusOptions {
  stateDir: string;
  supervisor: Supervisor;
  ruleGroups?: readonly RuleGroup[];
  alertmanagerAddress?: string;
  /** targets known before start (scraped on the first tick). */
  scrapeTargets?: readonly ScrapeTarget[];
  port?: number;
  scrapeInterval?: string;
  evaluationInterval?: string;
  externalLabels?: Record<string, string>;
  /** supervisor name (default 'prometheus'). */
  name?: string;
  /**
   * Scrape at this interval until every expected target has been scraped once, then at
   * scrapeInterval: waitReady makes the switch (a config reload) once it sees every target
   * scraped, so use it only with waitReady. The first scrapes then all come within this of the
   * discovery tick instead of within one scrapeInterval. Default: none (scrapeInterval throughout).
   */
  firstScrapeInterval?: string;
}

/**
 * The lab's first scrape interval: short, yet several times the longest scrape measured here
 * (42 ms, the redis exporter's /scrape of one node, load 7), since the scrape timeout is the
 * interval; a scrape that fails anyway is retried a moment later, and the switch to the steady
 * interval happens once every target was scraped, up or not.
 */
export const FIRST_SCRAPE_INTERVAL = '250ms';

function writeAtomically(path: string, text: string): void {
  // Prometheus watches the folder: a rename makes it see the whole file at once, never half of it.
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<LocalPrometheus> {
  const name = options.name ?? 'prometheus';
  const dir = join(options.stateDir, name);
  const targetsDir = join(dir, 'targets');
  const rulesDir = join(dir, 'rules');
  mkdirSync(targetsDir, { recursive: true });
  mkdirSync(rulesDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const address = `${LOOPBACK}:${port}`;
  const url = `http://${address}`;

  const ruleFiles: string[] = [];
  if (options.ruleGroups && options.ruleGroups.length > 0) {
    const file = join(rulesDir, 'lab.rules.yml');
    writeFileSync(file, ruleFileYaml(options.ruleGroups));
    ruleFiles.push(file);
  }
  const targetFiles = new Map<string, ScrapeTarget[]>();
  const setScrapeTargets = (file: string, targets: readonly ScrapeTarget[]) => {
    if (!/^[a-z0-9-]+$/.test(file)) throw new Error(`target file name must be [a-z0-9-]+, got ${JSON.stringify(file)}`);
    targetFiles.set(file, [...targets]);
    writeAtomically(join(targetsDir, `${file}.json`), JSON.stringify(fileSdGroups(targets), null, 2));
  };
  setScrapeTargets('prometheus', [{ job: LAB_JOBS.prometheus, address }]);
  if (options.scrapeTargets?.length) setScrapeTargets('initial', options.scrapeTargets);

  const configFile = join(dir, 'prometheus.yml');
  const steadyInterval = options.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL;
  const writeConfig = (scrapeInterval: string) => writeAtomically(configFile, YAML.stringify(prometheusConfig({
    targetsDir,
    ruleFiles,
    alertmanagerAddress: options.alertmanagerAddress,
    scrapeInterval,
    evaluationInterval: options.evaluationInterval ?? DEFAULT_EVALUATION_INTERVAL,
    externalLabels: options.externalLabels,
  })));
  writeConfig(options.firstScrapeInterval ?? steadyInterval);

  const proc = options.supervisor.start(name, LOCAL_LAB_BINARIES.prometheus.path, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    '--web.enable-remote-write-receiver',
    '--enable-feature=native-histograms',
  ]);

  const expectedTargets = () => [...targetFiles.values()].flat();
  // once, whichever waitReady sees every target scraped first
  let steady: Promise<void> | undefined;
  const toSteadyInterval = options.firstScrapeInterval
    ? (wait: WaitOptions) => (steady ??= reloadScrapeInterval(url, proc, () => writeConfig(steadyInterval), steadyInterval, wait))
    : undefined;
  return {
    ...labProcess(options.supervisor, proc, {
      url, defaultTimeoutMs: 20_000, ready: (wait) => waitPrometheusReady(url, expectedTargets, proc, wait, toSteadyInterval),
    }),
    port,
    remoteWriteUrl: `${url}/api/v1/write`,
    dir,
    setScrapeTargets,
    expectedTargets,
  };
}

/** The health of every active scrape target (GET /api/v1/targets). */
export async function scrapeTargetHealth(prometheusUrl: string): Promise<TargetHealth[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
  if (!response.ok) throw new Error(`GET ${prometheusUrl}/api/v1/targets answered ${response.status}`);
  const body = (await response.json()) as {
    data: { activeTargets: Array<{ labels: Record<string, string>; scrapeUrl: string; health: TargetHealth['health']; lastError: string }> };
  };
  return body.data.activeTargets.map((t) => ({
    job: t.labels.job ?? '',
    instance: t.labels.instance ?? '',
    scrapeUrl: t.scrapeUrl,
    health: t.health,
    lastError: t.lastError,
  }));
}

/** Whether Prometheus' target `seen` is the lab's target `want` (same job and instance label). */
function sameTarget(want: ScrapeTarget, seen: TargetHealth): boolean {
  return seen.job === want.job && seen.instance === (want.instance ?? want.address);
}

/**
 * The expected targets Prometheus does not report `up` (pure), each as
 * `<job> <instance> (<health>: <last error>)`, or `(not discovered yet)` when it lists no such target.
 */
export function scrapeTargetsNotUp(expected: readonly ScrapeTarget[], seen: readonly TargetHealth[]): string[] {
  return expected.flatMap((want) => {
    const instance = want.instance ?? want.address;
    const found = seen.find((t) => sameTarget(want, t));
    if (found?.health === 'up') return [];
    return [`${want.job} ${instance} (${found ? `${found.health}${found.lastError ? `: ${found.lastError}` : ''}` : 'not discovered yet'})`];
  });
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ready`)).ok;
  } catch {
    return false;
  }
}

/**
 * Ready = /-/ready answers 200 and every expected target has been scraped and is `up`.
 * Fails when the process exits or time runs out, naming the targets that are not up.
 * `everyTargetScraped` runs (and is awaited) once every expected target has been scraped, up or not.
 */
export async function waitPrometheusReady(
  url: string,
  expected: () => ScrapeTarget[],
  proc: ManagedProcess,
  wait: WaitOptions,
  everyTargetScraped?: (wait: WaitOptions) => Promise<void>,
): Promise<PrometheusReadiness> {
  const deadline = Date.now() + wait.timeoutMs;
  return waitUntil(`prometheus at ${url} to scrape every target`, proc, async () => {
    if (!(await isReady(url))) return notYet('not up: /-/ready');
    const targets = await scrapeTargetHealth(url).catch(() => []);
    const want = expected();
    if (everyTargetScraped && want.every((w) => targets.some((t) => sameTarget(w, t) && t.health !== 'unknown'))) {
      await everyTargetScraped({ ...wait, timeoutMs: Math.max(1000, deadline - Date.now()) });
    }
    const notUp = scrapeTargetsNotUp(want, targets);
    return notUp.length === 0 ? { ready: true, targets } : notYet(`not up: ${notUp.join('; ')}`);
  }, wait);
}

/** Rewrites the config at `interval` and has Prometheus reload it (SIGHUP), until its loaded config says so. */
async function reloadScrapeInterval(url: string, proc: ManagedProcess, rewrite: () => void, interval: string, wait: WaitOptions): Promise<void> {
  rewrite();
  process.kill(proc.pid, 'SIGHUP');
  await waitUntil(`prometheus at ${url} to reload its config (scrape_interval ${interval})`, proc, async () => {
    const loaded = await fetch(`${url}/api/v1/status/config`).then((r) => r.json() as Promise<{ data: { yaml: string } }>, () => undefined);
    const now = loaded ? (YAML.parse(loaded.data.yaml) as { global?: { scrape_interval?: string } }).global?.scrape_interval : undefined;
    return now === interval || notYet(`scrape_interval ${now ?? 'unknown'}`);
  }, wait);
}
