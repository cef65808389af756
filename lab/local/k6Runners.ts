// N k6 processes on this host, run the way the k6-operator runs N runner pods: each gets the
// operator's execution segment, starts `--paused` with its own REST API, is tagged `testid` and
// `instance_id`, remote-writes to Prometheus; once every runner is up and paused they are resumed
// together over k6's REST API (the operator's starter pod does the same PATCH).
//
// Checked against k6 v2.2.0: GET /v1/status answers {data:{attributes:{status, paused, vus,
// ...}}} with status 4 (PausedBeforeRun) once the VUs are initialised and the run waits for a
// resume; PATCH /v1/status with the JSON:API body below resumes it. SIGINT makes k6 abort the
// run, run teardown and still write --summary-export (exit 105); a second signal kills it.

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runnerSegment } from '../k6/segments.ts';
import { localRunnerArgs, outputEnv } from '../k6/runnerContract.ts';
import { freePort, LOOPBACK } from './ports.ts';
import { Supervisor, type ManagedProcess } from '../process/supervisor.ts';
import { notYet, waitUntil } from '../process/waitUntil.ts';
import { counterValue, isPausedBeforeRun, k6Status, resume } from '../k6/restApi.ts';

export interface K6RunnersOptions {
  k6Binary: string;
  /** the bundled scenario (one .js file). */
  bundlePath: string;
  parallelism: number;
  /** tags every sample of this run: the selector of the verdict's queries. */
  testid: string;
  /** Prometheus remote-write URL (K6_PROMETHEUS_RW_SERVER_URL). */
  prometheusRwUrl: string;
  /** extra environment for the scenario (BASE_URL, VUS, DURATION, ...). */
  env?: Record<string, string>;
  /** where runner-<i>-summary.json and the runners' logs go. */
  resultsDir: string;
  /** aborting it stops the runners (SIGINT, then SIGKILL after stopGraceMs); results still return. */
  signal?: AbortSignal;
  onStatus?: (status: RunnersStatus) => void;
  statusIntervalMs?: number;
  /** how long to wait for every runner to be up and paused (default 60 s: VU init can be slow). */
  startTimeoutMs?: number;
  /** after SIGINT, how long k6 gets to write its summary before SIGKILL (default 30 s). */
  stopGraceMs?: number;
  /** remote-write push interval (default 1s: a short run still gets many points). */
  pushInterval?: string;
  /** leave k6's system tags alone (the runner contract drops `url` otherwise). */
  keepSystemTags?: boolean;
  /** registers the runners with this supervisor; default one of their own in resultsDir. */
  supervisor?: Supervisor;
  /** progress lines (runner started, resumed, exited). */
  log?: (line: string) => void;
  /** called once every runner has been resumed (epoch ms): the run's load starts here. */
  onResumed?: (atMs: number) => void;
}

export interface RunnerResult {
  /** 1-based, as the instance_id tag. */
  instance: number;
  /** k6's exit code, or null when it ended by a signal. */
  exitCode: number | null;
  /** the signal that ended it, when it did not exit on its own. */
  exitSignal?: string;
  /** the k6 summary, when k6 wrote one. */
  summaryPath: string | undefined;
  logFile: string;
  segment: string;
}

export interface RunnerStatus {
  instance: number;
  /** running | paused | finished | unreachable */
  state: string;
  vus: number;
  iterations: number;
  httpReqs: number;
}

export interface RunnersStatus {
  vus: number;
  iterations: number;
  httpReqs: number;
  runners: RunnerStatus[];
}

interface Runner {
  instance: number;
  segment: string;
  apiUrl: string;
  summaryPath: string;
  proc: ManagedProcess;
  exit?: number | string;
}

async function runnerStatus(runner: Runner): Promise<RunnerStatus> {
  if (runner.exit !== undefined) return { instance: runner.instance, state: 'finished', vus: 0, iterations: 0, httpReqs: 0 };
  try {
    const [status, iterations, httpReqs] = await Promise.all([
      k6Status(runner.apiUrl), counterValue(runner.apiUrl, 'iterations'), counterValue(runner.apiUrl, 'http_reqs'),
    ]);
    return { instance: runner.instance, state: status.paused ? 'paused' : 'running', vus: status.vus, iterations, httpReqs };
  } catch {
    return { instance: runner.instance, state: 'unreachable', vus: 0, iterations: 0, httpReqs: 0 };
  }
}

/** Every runner's live status, summed (for a progress line). */
async function runnersStatus(runners: readonly Runner[]): Promise<RunnersStatus> {
  const each = await Promise.all(runners.map(runnerStatus));
  return {
    vus: each.reduce((s, r) => s + r.vus, 0),
    iterations: each.reduce((s, r) => s + r.iterations, 0),
    httpReqs: each.reduce((s, r) => s + r.httpReqs, 0),
    runners: each,
  };
}

/**
 * Runs the bundle as `parallelism` k6 runners and waits for all of them to end.
 * Throws (after stopping them all) only when the runners could not all be started and paused;
 * a runner that fails its thresholds or crashes mid-run is reported in its result, not thrown.
 */
export async function runK6Runners(options: K6RunnersOptions): Promise<RunnerResult[]> {
  const { parallelism, signal } = options;
  runnerSegment(1, parallelism); // validates parallelism, naming the field
  if (!options.testid || !/^[A-Za-z0-9._:-]+$/.test(options.testid)) {
    throw new Error(`testid must be non-empty letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(options.testid)}`);
  }
  if (!existsSync(options.bundlePath)) throw new Error(`bundlePath ${options.bundlePath} does not exist`);
  if (signal?.aborted) return []; // Ctrl-C before the run: nothing to start
  const log = options.log ?? (() => {});
  const resultsDir = resolve(options.resultsDir);
  mkdirSync(resultsDir, { recursive: true });
  const supervisor = options.supervisor ?? new Supervisor(resultsDir);
  const env = { ...process.env, ...options.env, ...outputEnv(options.prometheusRwUrl, options.pushInterval ?? '1s') };
  const stopGraceMs = options.stopGraceMs ?? 30_000;

  const runners: Runner[] = [];
  for (let instance = 1; instance <= parallelism; instance++) {
    const apiAddress = `${LOOPBACK}:${await freePort()}`;
    const summaryPath = join(resultsDir, `runner-${instance}-summary.json`);
    const args = localRunnerArgs({ instance, parallelism, apiAddress, testid: options.testid, summaryPath, bundlePath: resolve(options.bundlePath), keepSystemTags: options.keepSystemTags ?? false });
    const proc = supervisor.start(`k6-runner-${instance}`, options.k6Binary, args, { env, stopSignal: 'SIGINT', cwd: resultsDir });
    const runner: Runner = { instance, segment: runnerSegment(instance, parallelism).segment, apiUrl: `http://${apiAddress}`, summaryPath, proc };
    void proc.exited.then((code) => (runner.exit = code));
    runners.push(runner);
  }
  log(`k6: started ${parallelism} runner(s) paused (testid ${options.testid})`);

  // Stops the runners still registered (a finished one is just unregistered, so the pid file and
  // a later stopAll never name a pid that may have been reused).
  const stopRunners = async () => {
    const registered = runners.filter((r) => supervisor.processes.includes(r.proc));
    await Promise.all(registered.map((r) => supervisor.stop(r.proc.name, stopGraceMs).catch(() => {})));
  };
  const onAbort = () => {
    log('k6: aborting the runners (SIGINT; they write their summaries)');
    void stopRunners();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await waitAllPaused(runners, options.startTimeoutMs ?? 60_000, signal);
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    await stopRunners();
    if (signal?.aborted) return collect(runners);
    throw error;
  }
  if (!signal?.aborted) {
    const t0 = Date.now();
    await Promise.all(runners.map((r) => resume(r.apiUrl)));
    log(`k6: resumed ${parallelism} runner(s) together (${Date.now() - t0} ms)`);
    options.onResumed?.(Date.now());
  }

  let polling: NodeJS.Timeout | undefined;
  let finished = false;
  if (options.onStatus) {
    const onStatus = options.onStatus;
    const interval = options.statusIntervalMs ?? 2000;
    const tick = async () => {
      const status = await runnersStatus(runners);
      if (finished) return; // a poll that was in flight when the runners ended
      onStatus(status);
      polling = setTimeout(() => void tick(), interval);
    };
    polling = setTimeout(() => void tick(), interval);
  }
  try {
    await Promise.all(runners.map((r) => r.proc.exited));
  } finally {
    finished = true;
    if (polling) clearTimeout(polling);
    signal?.removeEventListener('abort', onAbort);
  }
  // An abort's stop may still be escalating; wait for it so no runner outlives this call.
  await stopRunners();
  const results = collect(runners);
  for (const r of results) log(`k6: runner ${r.instance} (${r.segment}) exited ${r.exitCode ?? r.exitSignal}`);
  return results;
}

function collect(runners: readonly Runner[]): RunnerResult[] {
  return runners.map((r) => ({
    instance: r.instance,
    exitCode: typeof r.exit === 'number' ? r.exit : null,
    ...(typeof r.exit === 'string' ? { exitSignal: r.exit } : {}),
    summaryPath: existsSync(r.summaryPath) ? r.summaryPath : undefined,
    logFile: r.proc.logFile,
    segment: r.segment,
  }));
}

async function waitAllPaused(runners: readonly Runner[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const pending = new Set(runners);
  await waitUntil('every k6 runner to be paused before its run', runners.map((r) => r.proc), async () => {
    for (const runner of [...pending]) {
      if (isPausedBeforeRun(await k6Status(runner.apiUrl).catch(() => undefined))) pending.delete(runner);
    }
    return pending.size === 0 || notYet(`not up and paused: ${[...pending].map((r) => `runner ${r.instance}`).join(', ')}`);
  }, {
    timeoutMs, signal, maxIntervalMs: 50,
    exited: (proc, how) => `k6 runner ${runners.find((r) => r.proc === proc)!.instance} exited (${how}) before it was ready to start`,
  });
}
