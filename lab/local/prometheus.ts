// The local lab's Prometheus: Prometheus 3.16 (built from the Go module proxy into .bin/, see
// lab/setup/prometheus.ts and lab/versions.ts) as a supervised process on a free loopback port,
// receiving k6's remote-write (native histograms) and scraping every lab process.
//
// When the first scrape happens. Prometheus scrapes nothing its discovery manager has not handed
// to the scrape manager, and the scrape manager applies what it is handed on its reloader's ticker
// (--scrape.discovery-reload-interval, default 5 s). Debian's 2.42 held both on 5-second tickers
// with no flag below 5 s, so nothing was scraped before ~5.1 s after its start. 3.16's discovery
// manager throttles with a backoff that starts at 100 ms (discovery/manager.go `sender`), and the
// reload interval has no floor: at DISCOVERY_RELOAD_INTERVAL (100 ms) every target in the files at
// start is scraped ~0.5 s after Prometheus starts (measured here: 0.52-0.57 s for 10 targets,
// first scrape interval 250 ms). A reload only happens when discovery sent something, so the short
// interval costs nothing while the targets stay put. Each new target is then scraped at its own
// offset within one scrape interval (a hash of its labels), and every interval after that.
//
// Hence: startLocalLab starts Prometheus first, with every target already in its files (file_sd,
// read at start), at the steady scrape interval: a target whose process comes up later (the data
// tier's exporters, the target service) is scraped `up` within one interval of it. A later change
// of the interval is no shortcut: the interval is part of a target's identity (its
// `__scrape_interval__` label), so a reload at another interval makes the next discovery update
// replace every target by a new, not yet scraped one (health `unknown`, its series marked stale
// until the new one's first scrape), and that update waits for discovery's backoff (up to 5 s).
// Targets come from files in the run's state folder, so they can also be added after the start
// (setScrapeTargets); one added late may wait for that backoff too.
//
// 3.x no longer falls back to the text format when a scrape answer has no (or an unknown)
// Content-Type: the lab's scrape config sets `fallback_scrape_protocol`, as 2.x behaved, so an
// exporter that omits the header is still scraped. Native histograms need no flag in 3.16
// (`--enable-feature=native-histograms` is a no-op there): the remote-write receiver stores them.

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
    // kind of lab process needs a target, not a config change. An answer without a Content-Type is
    // read as the text format (3.x fails such a scrape otherwise; 2.x did this implicitly).
    scrape_configs: [{
      job_name: 'lab',
      fallback_scrape_protocol: 'PrometheusText0.0.4',
      file_sd_configs: [{ files: [join(input.targetsDir, '*.json')] }],
    }],
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
}

/**
 * How often the scrape manager applies what discovery sends (--scrape.discovery-reload-interval,
 * 5 s by default). 100 ms: the discovery manager's own first throttle step, so neither waits on
 * the other. A reload only runs when discovery sent an update, and discovery sends at most once
 * per step of its backoff (100 ms growing to 5 s; back to 100 ms after 5 s without a send), so
 * this never reloads more often than that.
 */
export const DISCOVERY_RELOAD_INTERVAL = '100ms';

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
  writeAtomically(configFile, YAML.stringify(prometheusConfig({
    targetsDir,
    ruleFiles,
    alertmanagerAddress: options.alertmanagerAddress,
    scrapeInterval: options.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL,
    evaluationInterval: options.evaluationInterval ?? DEFAULT_EVALUATION_INTERVAL,
    externalLabels: options.externalLabels,
  })));

  const proc = options.supervisor.start(name, LOCAL_LAB_BINARIES.prometheus.path, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    '--web.enable-remote-write-receiver',
    `--scrape.discovery-reload-interval=${DISCOVERY_RELOAD_INTERVAL}`,
  ]);

  const expectedTargets = () => [...targetFiles.values()].flat();
  return {
    ...labProcess(options.supervisor, proc, {
      url, defaultTimeoutMs: 20_000, ready: (wait) => waitPrometheusReady(url, expectedTargets, proc, wait),
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
 */
export async function waitPrometheusReady(
  url: string,
  expected: () => ScrapeTarget[],
  proc: ManagedProcess,
  wait: WaitOptions,
): Promise<PrometheusReadiness> {
  return waitUntil(`prometheus at ${url} to scrape every target`, proc, async () => {
    if (!(await isReady(url))) return notYet('not up: /-/ready');
    const targets = await scrapeTargetHealth(url).catch(() => []);
    const notUp = scrapeTargetsNotUp(expected(), targets);
    if (notUp.length > 0) return notYet(`not up: ${notUp.join('; ')}`);
    return { ready: true, targets };
  }, wait);
}
