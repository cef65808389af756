// The flags of `run-soak.mjs` and `run.mjs`, parsed and validated before anything starts. Every
// error names the flag and what would be valid, and is a UsageError (exit code 2).

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { isDnsLabel } from '../cluster/dnsLabel.ts';
import { didYouMean } from '../config/didYouMean.ts';
import { userEnvProblem } from '../k6/runnerContract.ts';
import { formatDuration, LOAD_PROFILES, parseDuration, type LoadProfile } from '../scenarios/profiles.ts';
import { FAULT_OPTIONS, FAULT_USAGE, faultFlags, type FaultFlags } from '../faults/flags.ts';
import { baselineNameProblem } from '../baseline/store.ts';

export const TARGETS = ['local', 'cluster'] as const;
export type Target = (typeof TARGETS)[number];

export class UsageError extends Error {}

/**
 * What the local target runs at most. Its runners share this machine's cores with the whole lab
 * (3 Postgres, 6 Redis, Prometheus, Alertmanager, the exporters, the target service): k6's guide
 * to large tests puts one k6 process on a big dedicated generator at 30 000-40 000 VUs with 20 %
 * of its CPU left idle; a core shared with the lab runs far fewer before the run measures this
 * machine instead of the service. 250 VUs per core (500 on a 2-core machine, 25 times the local
 * soak's 20) is generous for that and still catches a slip such as --vus 50000 meant for the
 * cluster; at 3-5 MB per VU (k6's figure for small scripts) it is also well inside a laptop's
 * memory. A day is three times the guidelines' longest test (the 8-hour soak); a local lab lives
 * as long as this shell (a laptop that sleeps, a CI job's timeout), and past a day a duration is a
 * slip of units (500h for 500s) more often than a plan. The cluster target has neither limit:
 * its runners are pods on the lab's load pool, whose fit is checked instead.
 */
export const LOCAL_LIMITS = {
  vusPerCore: 250,
  maxDurationMs: 24 * 3600 * 1000,
} as const;

/** The most VUs the local target runs on a machine with `cores` cores. */
export function localMaxVus(cores: number = availableParallelism()): number {
  return LOCAL_LIMITS.vusPerCore * cores;
}

/** Why `vus` VUs cannot run on the local target, or undefined. `what` names where the number came from. */
export function localVusProblem(vus: number, what: string, cores: number = availableParallelism()): string | undefined {
  const max = localMaxVus(cores);
  if (vus <= max) return undefined;
  return `${what}: ${vus} VUs is more than the local target runs on this machine (${LOCAL_LIMITS.vusPerCore} per core x ${cores} cores = ${max}: ` +
    `its runners share the cores with the whole lab); use --vus ${max} or fewer, or --target cluster`;
}

/** Why a run of `ms` cannot run on the local target, or undefined. */
export function localDurationProblem(ms: number, what: string): string | undefined {
  if (ms <= LOCAL_LIMITS.maxDurationMs) return undefined;
  return `${what}: ${formatDuration(ms)} is longer than the local target runs (at most ${formatDuration(LOCAL_LIMITS.maxDurationMs)}: ` +
    'a local lab lives as long as this shell); use a shorter --duration, or --target cluster';
}

/** What the user asked for; undefined = use the default for the target (see plan.ts). */
export interface RunFlags {
  help: boolean;
  target: Target;
  scenario: string | undefined;
  duration: string | undefined;
  vus: number | undefined;
  parallelism: number | undefined;
  profile: LoadProfile | undefined;
  baseUrl: string | undefined;
  prometheusUrl: string | undefined;
  namespace: string | undefined;
  targetLatencyMs: number | undefined;
  resultsDir: string | undefined;
  dryRun: boolean;
  keep: boolean;
  /** GET --base-url before the runners start (local target); --no-base-url-check turns it off. */
  baseUrlCheck: boolean;
  /** `-e KEY=VALUE` / `--env KEY=VALUE`, as k6 takes them: every runner's scenario env. */
  env: Record<string, string>;
  /** keep k6's `url` tag (a series per distinct URL in Prometheus; off by default). */
  urlTag: boolean;
  /** issue 12, lab/faults: --fault KIND@OFFSET[+DURATION] (repeatable), --max-recovery D. */
  faults: FaultFlags;
  /** issue 11, lab/decisions: --save-baseline NAME, --baseline NAME|PATH, --force-compare, --regression-pct, --assess-capacity, --plan-for-rps, --plan-for-users. */
  decisions: DecisionFlags;
}

/** What a run decides beyond its verdict (lab/decisions/decideRun.ts). */
export interface DecisionFlags {
  /** store the run's comparable figures in baselines/NAME.json. */
  saveBaseline: string | undefined;
  /** compare with baselines/NAME.json, a baseline file or a run folder. */
  baseline: string | undefined;
  /** compare even when the runs are not comparable (other scenario, VUs, target), with a warning. */
  forceCompare: boolean;
  /** a p95/p99 worse by more than this many percent (and beyond the noise) is a regression. @default 10 */
  regressionPct: number | undefined;
  /** the capacity assessment for any scenario (breakpoint, stress and spike have it anyway). */
  assessCapacity: boolean;
  planForRps: number | undefined;
  planForUsers: number | undefined;
}

export type RunCommand = 'run-soak' | 'run';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  target: { type: 'string' },
  scenario: { type: 'string' },
  duration: { type: 'string' },
  vus: { type: 'string' },
  parallelism: { type: 'string' },
  profile: { type: 'string' },
  'base-url': { type: 'string' },
  'prometheus-url': { type: 'string' },
  namespace: { type: 'string' },
  'target-latency-ms': { type: 'string' },
  'results-dir': { type: 'string' },
  'dry-run': { type: 'boolean' },
  keep: { type: 'boolean' },
  'no-base-url-check': { type: 'boolean' },
  env: { type: 'string', short: 'e', multiple: true },
  'url-tag': { type: 'boolean' },
  ...FAULT_OPTIONS,
  'save-baseline': { type: 'string' },
  baseline: { type: 'string' },
  'force-compare': { type: 'boolean' },
  'regression-pct': { type: 'string' },
  'assess-capacity': { type: 'boolean' },
  'plan-for-rps': { type: 'string' },
  'plan-for-users': { type: 'string' },
} as const;

export function usage(command: RunCommand): string {
  const what = command === 'run-soak'
    ? 'usage: zx scripts/run-soak.mjs [flags]\n\nRuns the soak (scenario "soak" unless --scenario) and judges it against the SLA catalogue.'
    : 'usage: zx scripts/run.mjs <scenario name or path.ts> [flags]\n\nRuns any scenario and judges it against the SLA catalogue (a stress scenario: against its relaxed criteria).';
  return `${what}

  --target local|cluster   where to run (default local: the lab as processes on this machine)
  --scenario NAME|PATH     ${command === 'run-soak' ? 'scenario to soak with (default soak)' : 'same as the positional argument'}
  --profile smoke|ci|full  load shape (default: ci on local, full on cluster)
  --duration D             total length, k6 syntax: 90s, 10m, 8h (default: ${command === 'run-soak' ? '60s on local, the profile\'s on cluster (8h)' : 'the profile\'s'})
  --vus N                  peak VUs over all runners (default: ${command === 'run-soak' ? '20 on local, the profile\'s on cluster (5000)' : 'the profile\'s'})
  --parallelism N          k6 runners (default 2); each gets its execution segment
  --base-url URL           test another service; the local lab then starts no target service, and
                           checks first that the URL answers a GET (within 3 s, any HTTP status)
  --no-base-url-check      skip that check (a service that refuses plain GETs)
  --target-latency-ms N    local only: slow the lab's target service by N ms per request
  --prometheus-url URL     cluster only: the lab's Prometheus as reachable from here, e.g. after
                           kubectl -n perflab-monitoring port-forward svc/monitoring-kube-prometheus-prometheus 9090
  --namespace NS           cluster only: namespace of the TestRun (default: the lab config's load namespace)
  --results-dir DIR        where results/<run-id>/ goes (default ./results); checked before anything
                           starts: a folder that exists or can be created, writable, not under /proc or /sys
  --dry-run                print what would run (cluster: the ConfigMap + TestRun YAML) and exit
  --keep                   local only: leave the lab running afterwards (stop it with npm run lab:down -- --target local)
  -e, --env KEY=VALUE      an environment variable for the scenario (__ENV.KEY) on every runner, as k6's -e;
                           repeatable; values of keys like *PASSWORD*, *TOKEN*, *SECRET*, *KEY* are masked in dry runs
  --url-tag                keep k6's url tag (off: every distinct URL would be a Prometheus series); warns
${FAULT_USAGE}
  --save-baseline NAME     store this run's comparable figures in baselines/NAME.json (commit it with your code)
  --baseline NAME|PATH     compare with a baseline (NAME, a .json file or a run folder): a p95/p99 worse by
                           more than 10 % and beyond the run-to-run noise is a regression (exit 1)
  --force-compare          compare with a baseline of another scenario, VUs, target, ... (refused otherwise), with a warning
  --regression-pct N       the regression threshold in percent (default 10, the release criterion)
  --assess-capacity        the capacity assessment and plan for any scenario (breakpoint, stress, spike: always)
  --plan-for-rps N         plan capacity for N requests per second (default: lab config capacity.productionRps)
  --plan-for-users N       plan capacity for N concurrent users (req/s per VU measured at the sustainable point)
  -h, --help               this help

Exit codes: 0 pass · 1 SLA failure · 2 bad usage · 3 lab failure · 130 interrupted (Ctrl-C).`;
}

function positiveInt(flag: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${flag}: "${text}" is not a whole number >= ${min}`);
  }
  return Number(text);
}

/** `-e KEY=VALUE` pairs (k6's syntax: the value may hold '='), checked against the runner contract. */
function userEnv(pairs: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--env: "${pair}" is not KEY=VALUE; e.g. -e API_TOKEN=abc or -e TENANT=acme`);
    const key = pair.slice(0, at);
    const problem = userEnvProblem(key);
    if (problem) throw new UsageError(`--env: ${problem}`);
    env[key] = pair.slice(at + 1);
  }
  return env;
}

function url(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new UsageError(`--${flag}: "${text}" is not a URL; use e.g. http://127.0.0.1:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--${flag}: "${text}" must be an http:// or https:// URL`);
  }
  return text.replace(/\/+$/, '');
}

function decisionFlags(v: Record<string, string | boolean | string[] | undefined>): DecisionFlags {
  const name = v['save-baseline'] as string | undefined;
  if (name !== undefined) {
    const problem = baselineNameProblem(name);
    if (problem) throw new UsageError(`--save-baseline: ${problem}`);
  }
  const baseline = v.baseline as string | undefined;
  if (baseline !== undefined && baseline.trim() === '') throw new UsageError('--baseline: is empty; give a baseline name (baselines/NAME.json), a .json file or a run folder');
  const pct = v['regression-pct'] as string | undefined;
  if (pct !== undefined && !(Number(pct) > 0 && Number(pct) <= 1000)) throw new UsageError(`--regression-pct: "${pct}" is not a percentage above 0 (e.g. 10)`);
  if (v['force-compare'] === true && baseline === undefined) throw new UsageError('--force-compare: only with --baseline');
  if (pct !== undefined && baseline === undefined) throw new UsageError('--regression-pct: only with --baseline');
  return {
    saveBaseline: name,
    baseline,
    forceCompare: v['force-compare'] === true,
    regressionPct: pct === undefined ? undefined : Number(pct),
    assessCapacity: v['assess-capacity'] === true,
    planForRps: positiveInt('plan-for-rps', v['plan-for-rps'] as string | undefined),
    planForUsers: positiveInt('plan-for-users', v['plan-for-users'] as string | undefined),
  };
}

/** `parse()`, its errors as usage errors. */
function usageOf<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses argv (without node and the script) into validated flags; throws UsageError. */
export function parseRunFlags(argv: readonly string[], command: RunCommand): RunFlags {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const guess = unknown === undefined ? undefined : didYouMean(unknown, Object.keys(OPTIONS));
    throw new UsageError(`${message}${guess ? ` (did you mean --${guess}?)` : ''}; valid flags: ${Object.keys(OPTIONS).map((k) => `--${k}`).join(' ')}`);
  }
  const v = parsed.values;
  const help = v.help === true;
  const positionals = parsed.positionals;
  if (command === 'run-soak' && positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}": run-soak takes flags only (a scenario is --scenario NAME|PATH)`);
  }
  if (command === 'run' && positionals.length > 1) {
    throw new UsageError(`one scenario per run, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  if (command === 'run' && positionals.length === 1 && v.scenario !== undefined && v.scenario !== positionals[0]) {
    throw new UsageError(`scenario given twice: "${positionals[0]}" and --scenario "${v.scenario}"`);
  }
  const scenario = command === 'run' ? positionals[0] ?? v.scenario : v.scenario;
  if (command === 'run' && scenario === undefined && !help) {
    throw new UsageError('which scenario? give a name (load, soak, ...) or the path of a .ts scenario: zx scripts/run.mjs <name or path.ts>');
  }

  const target = (v.target ?? 'local') as Target;
  if (!TARGETS.includes(target)) throw new UsageError(`--target: "${v.target}" is not a target; valid: ${TARGETS.join(', ')}`);
  const profile = v.profile as LoadProfile | undefined;
  if (profile !== undefined && !LOAD_PROFILES.includes(profile)) {
    throw new UsageError(`--profile: "${v.profile}" is not a profile; valid: ${LOAD_PROFILES.join(', ')}`);
  }
  let duration = v.duration;
  if (duration !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(duration, '--duration');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (ms < 1000) throw new UsageError(`--duration: "${duration}" is shorter than 1s`);
    const tooLong = target === 'local' ? localDurationProblem(ms, '--duration') : undefined;
    if (tooLong) throw new UsageError(tooLong);
    duration = duration.trim();
  }
  const flags: RunFlags = {
    help,
    target,
    scenario,
    duration,
    vus: positiveInt('vus', v.vus),
    parallelism: positiveInt('parallelism', v.parallelism),
    profile,
    baseUrl: url('base-url', v['base-url']),
    prometheusUrl: url('prometheus-url', v['prometheus-url']),
    namespace: v.namespace,
    targetLatencyMs: positiveInt('target-latency-ms', v['target-latency-ms'], 0),
    resultsDir: v['results-dir'],
    dryRun: v['dry-run'] === true,
    keep: v.keep === true,
    baseUrlCheck: v['no-base-url-check'] !== true,
    env: userEnv(v.env),
    urlTag: v['url-tag'] === true,
    faults: usageOf(() => faultFlags(v)),
    decisions: decisionFlags(v),
  };
  if (!flags.baseUrlCheck && flags.baseUrl === undefined) {
    throw new UsageError('--no-base-url-check: only with --base-url (the lab\'s own target service is proven healthy by the lab)');
  }
  if (flags.resultsDir !== undefined && flags.resultsDir.trim() === '') {
    throw new UsageError('--results-dir: is empty; give a folder, e.g. --results-dir ./results');
  }
  if (flags.namespace !== undefined && !isDnsLabel(flags.namespace)) {
    throw new UsageError(`--namespace: "${flags.namespace}" is not a Kubernetes namespace name (lowercase letters, digits, '-')`);
  }
  if (target === 'cluster') {
    if (flags.keep) throw new UsageError('--keep: only for --target local (the cluster lab stays up until npm run lab:down)');
    if (flags.targetLatencyMs !== undefined) throw new UsageError('--target-latency-ms: only for --target local (set TARGET_INJECT_LATENCY_MS on the cluster target instead)');
  } else {
    if (flags.prometheusUrl !== undefined) throw new UsageError('--prometheus-url: only for --target cluster (the local lab starts its own Prometheus)');
    if (flags.namespace !== undefined) throw new UsageError('--namespace: only for --target cluster');
    const tooMany = flags.vus === undefined ? undefined : localVusProblem(flags.vus, '--vus');
    if (tooMany) throw new UsageError(tooMany);
    if (flags.targetLatencyMs !== undefined && flags.baseUrl !== undefined) {
      throw new UsageError('--target-latency-ms slows the lab\'s own target service; with --base-url no target service is started');
    }
  }
  return flags;
}
