// How perflab runs k6, on both targets, in one place: the scenario's environment (how hard and
// against what), the output (Prometheus remote-write as native histograms), the tags the verdict
// selects on, and each runner's command line. The local lab builds a runner's full argv from
// here; the cluster's TestRun carries the same arguments and environment, and the k6-operator adds
// what it owns (the script, the execution segment, --paused, its instance tags). Pure.

import type { LoadShape } from '../scenarios/profiles.ts';
import { runnerSegment, segmentArgs } from './segments.ts';

/** k6's own exit codes (k6 errext): what a runner's exit says. */
export const K6_EXIT = { thresholdsFailed: 99, scriptException: 107, aborted: 108 } as const;

/** The tag on every sample of a run: what the verdict's PromQL selects. */
export const TESTID_TAG = 'testid';
/** The tag naming a runner (1-based), as the operator tags its runner pods. */
export const INSTANCE_TAG = 'instance_id';

/** The scenario env the lab sets itself, each with the flag that sets it. */
export const LAB_SET_ENV: Record<string, string> = { PROFILE: '--profile', VUS: '--vus', DURATION: '--duration', BASE_URL: '--base-url' };

/**
 * What a scenario reads from __ENV: the user's own `-e KEY=VALUE` pairs, the load shape (PROFILE,
 * VUS, DURATION) and BASE_URL. The same env reaches `k6 inspect` and every runner on both targets.
 */
export function scenarioEnv(shape: LoadShape, baseUrl?: string, userEnv: Record<string, string> = {}): Record<string, string> {
  return {
    ...userEnv,
    PROFILE: shape.profile,
    ...(shape.vus !== undefined ? { VUS: String(shape.vus) } : {}),
    ...(shape.duration !== undefined ? { DURATION: shape.duration } : {}),
    ...(baseUrl !== undefined ? { BASE_URL: baseUrl } : {}),
  };
}

/**
 * Why a user's `-e KEY=VALUE` cannot be passed (undefined: it can): a name k6 would not read as
 * one variable, a variable the lab sets from its own flag, or one of the output's.
 */
export function userEnvProblem(key: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `"${key}" is not a variable name (letters, digits and _, not starting with a digit)`;
  if (LAB_SET_ENV[key]) return `${key} is set by the lab: use ${LAB_SET_ENV[key]}`;
  if (key.startsWith('K6_')) return `${key}: K6_* variables configure k6 itself and the lab's output; the lab sets them`;
  return undefined;
}

/** Keys whose values are secrets: masked wherever the lab prints an environment (dry runs). */
export const SECRET_KEY = /PASSWORD|TOKEN|SECRET|KEY/i;

export function maskSecrets(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_KEY.test(k) ? '***' : v]));
}

/**
 * The output's environment: remote-write to Prometheus, trends as native histograms (so
 * percentiles aggregate across runners), no usage report. `pushInterval` unset = k6's 5 s.
 */
export function outputEnv(remoteWriteUrl: string, pushInterval?: string): Record<string, string> {
  return {
    K6_PROMETHEUS_RW_SERVER_URL: remoteWriteUrl,
    K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true',
    ...(pushInterval !== undefined ? { K6_PROMETHEUS_RW_PUSH_INTERVAL: pushInterval } : {}),
    K6_NO_USAGE_REPORT: 'true',
  };
}

/** Debian's Chromium, where the local lab installs it (lab/setup/debianPackages.ts) and the browser runner image carries it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Chromium's flags on every runner, beyond the ones k6/browser always passes (among them
 * disable-background-networking, no-first-run, disable-extensions, disable-default-apps). K6_BROWSER_ARGS
 * is comma-separated, without the leading dashes, no value may hold a comma. Measured on Chromium 156
 * (strace of a k6 run): with k6's own flags alone it still resolves and calls accounts.google.com
 * (sign-in), update.googleapis.com and clients2.google.com (component updates, network time),
 * optimizationguide-pa.googleapis.com and redirector.gvt1.com, retrying each; disable-sync and
 * disable-component-update remove some, and the dead proxy sends whatever is left to a closed port on
 * this machine without a DNS lookup, while the service under test is reached directly (loopback is
 * never proxied; a non-loopback base URL's host is bypassed). no-sandbox: the runners run as root
 * locally, and in a container without the user namespaces Chromium's sandbox needs.
 */
export const BROWSER_ARGS = [
  'no-sandbox',
  'disable-sync',
  'disable-component-update',
  'disable-domain-reliability',
  'disable-client-side-phishing-detection',
  'no-pings',
  'proxy-server=http://127.0.0.1:9',
] as const;

/** The env of k6/browser on a runner: Chromium's path and flags, headless; `baseUrl`'s host bypasses the dead proxy. */
export function browserEnv(baseUrl?: string): Record<string, string> {
  let host: string | undefined;
  try {
    host = baseUrl ? new URL(baseUrl).hostname : undefined;
  } catch {
    host = undefined;
  }
  const loopback = host === undefined || host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  return {
    K6_BROWSER_EXECUTABLE_PATH: CHROMIUM_PATH,
    K6_BROWSER_ARGS: [...BROWSER_ARGS, ...(loopback ? [] : [`proxy-bypass-list=${host}`])].join(','),
    K6_BROWSER_HEADLESS: 'true',
  };
}

/** k6 v2.2.0's default system tags (`k6 run --help`). */
export const K6_DEFAULT_SYSTEM_TAGS = [
  'proto', 'subproto', 'status', 'method', 'url', 'name', 'group', 'check', 'error', 'error_code', 'tls_version', 'scenario', 'service', 'expected_response',
] as const;

/**
 * The system tags the runners send: k6's defaults without `url`. Every tag is a Prometheus label,
 * and `url` is the full URL of each request: a script with ids in its URLs would make one series
 * per request. `name` keeps the grouping (unnamed requests are named by their grouped URL:
 * scenarios/lib/groupedHttp.ts).
 */
export const LAB_SYSTEM_TAGS = K6_DEFAULT_SYSTEM_TAGS.filter((t) => t !== 'url');

export interface RunArgsOptions {
  /** leave k6's system tags alone (--url-tag, or the scenario sets its own `systemTags`). */
  keepSystemTags?: boolean;
}

/**
 * The arguments every runner of a run passes to `k6 run`, on both targets: the output, the testid,
 * the system tags (no `url`), and no thresholds — a runner would judge only its slice (wrong both
 * ways) and its abortOnFail would stop only itself; the lab judges every threshold across all
 * runners (lab/analysis/thresholds.ts) and stops them all (lab/run/thresholdWatch.ts).
 */
export function runArgs(testid: string, options: RunArgsOptions = {}): string[] {
  return [
    '-o', 'experimental-prometheus-rw', '--tag', `${TESTID_TAG}=${testid}`,
    ...(options.keepSystemTags ? [] : ['--system-tags', LAB_SYSTEM_TAGS.join(',')]),
    '--no-thresholds',
  ];
}

/**
 * A local runner's whole argv: what the k6-operator adds on the cluster (paused start, the
 * execution segment, the instance tag), its REST API address, the run's arguments, and a summary
 * export for exact rates.
 */
export function localRunnerArgs(opts: {
  instance: number;
  parallelism: number;
  apiAddress: string;
  testid: string;
  summaryPath: string;
  bundlePath: string;
} & RunArgsOptions): string[] {
  return [
    'run',
    '--paused',
    '--address', opts.apiAddress,
    ...segmentArgs(runnerSegment(opts.instance, opts.parallelism)),
    '--tag', `${INSTANCE_TAG}=${opts.instance}`,
    ...runArgs(opts.testid, opts),
    '--summary-export', opts.summaryPath,
    '--quiet',
    '--no-color',
    opts.bundlePath,
  ];
}

/**
 * Every runner needs at least one VU (the operator ends a TestRun in stage "error" otherwise, and
 * a local runner with no VU does nothing): the one check, made where k6's max VUs are known.
 * Throws naming the numbers, the scenario and shape, and what would be valid.
 */
export function assertRunnersFit(parallelism: number, maxVUs: number, context: { scenario: string; shape: LoadShape }): void {
  if (parallelism <= maxVUs) return;
  const { profile, vus } = context.shape;
  throw new Error(
    `${parallelism} runners for ${maxVUs} VUs: scenario ${context.scenario} runs at most ${maxVUs} VUs under profile ${profile}` +
      `${vus !== undefined ? ` with VUS=${vus}` : ''}, and every runner needs at least one VU; ` +
      `use a parallelism of ${maxVUs} or less, or more VUs`,
  );
}
