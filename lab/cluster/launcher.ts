// Runs a TestRun on a cluster through the Kubernetes API (@kubernetes/client-node): server-side
// applies the script ConfigMap and the TestRun, follows `status.stage` until finished or error,
// then reads every runner pod's exit code. It reports facts — the last stage, how the run ended,
// each runner's exit code, and why it ended early — and judges nothing: the one verdict is
// lab/analysis/verdict.ts. An AbortSignal (Ctrl-C) or a timeout deletes the TestRun, its jobs and
// pods. Cluster problems (unreachable API, no k6-operator CRD, no permission) become a
// LauncherError with a sentence a user can act on, never a stack trace.

import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { RUNNER_LABELS, type RunObjects, type ScriptConfigMap, type TestRun } from '../../k6-operator/testrun.ts';
import type { LabConfig } from '../config/types.ts';
import { sleep } from '../process/waitUntil.ts';

export const FIELD_MANAGER = 'perflab';

/** The k6-operator's `status.stage` of a TestRun. */
export type TestRunStage = 'initialization' | 'initialized' | 'created' | 'started' | 'stopped' | 'finished' | 'error';

/** One runner pod, as found after the run. */
export interface RunnerPod {
  /** 1-based runner index (the operator's job `<testrun>-<n>`), as lab/analysis RunnerOutcome. */
  instance: number;
  pod: string;
  /** the k6 container's exit code; null when the pod never ended (or never existed). */
  exitCode: number | null;
  /** what Kubernetes says where the exit code does not (not terminated, no pod, OOMKilled...). */
  detail?: string;
}

/** How the launcher stopped following: the TestRun's own end, or ours. */
export type TestRunEnd = 'finished' | 'error' | 'timeout' | 'aborted';

/** The facts of one TestRun, for the verdict to judge. */
export interface TestRunReport {
  testRun: string;
  namespace: string;
  /** the last status.stage seen ('unknown' when the TestRun never reported one). */
  stage: TestRunStage | 'unknown';
  ended: TestRunEnd;
  runners: RunnerPod[];
  durationMs: number;
  /** why the run ended without every runner's result, in words a user can act on (error, timeout, abort). */
  reason?: string;
}

export interface LaunchOptions {
  /** the cluster to run on (kubeConfigOf(labConfig): the lab config's kubeconfig and context). */
  kubeConfig: KubeConfig;
  /** give up (and delete the run) after this long; default: wait for the TestRun to end. */
  timeoutMs?: number;
  /** give up when the runners have not started after this long (image pulls, scheduling on the
   * load pool, the initializer's k6 inspect); default 10 minutes. */
  startTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Ctrl-C: abort following, delete the TestRun, its jobs and pods. */
  signal?: AbortSignal;
  /** told each new status.stage as it is seen (the progress line shows what the runners wait for). */
  onStage?: (stage: TestRunStage | 'unknown') => void;
  log?: (line: string) => void;
  /** delete the TestRun, its jobs and pods after reading the results (default: keep them). */
  deleteAfter?: boolean;
}

export class LauncherError extends Error {}

/** client-node's generic object API, plus a way to ask whether a kind is served at all. */
class ObjectApi extends KubernetesObjectApi {
  served(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The API server's own sentence from a failed call's body: client-node 1.x keeps the Status body as
 * text (JSON), not parsed; anything else is quoted as it is, shortened.
 */
function apiMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return String((JSON.parse(body) as { message?: unknown }).message ?? '');
    } catch {
      return body.trim().slice(0, 300);
    }
  }
  return String((body as { message?: unknown } | undefined)?.message ?? '');
}

/** Turns a client-node failure into a sentence naming what to do. */
export function explainClusterError(error: unknown, server: string, doing: string): LauncherError {
  if (error instanceof LauncherError) return error;
  const code = errorCode(error);
  if (code && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT)$/.test(code)) {
    return new LauncherError(
      `cannot reach the Kubernetes API at ${server} (${code}) while ${doing}: is the cluster up (npm run lab:up) and the kubeconfig context right?`,
    );
  }
  if (error instanceof ApiException) {
    const status = Number(error.code);
    const message = apiMessage(error.body);
    if (status === 401 || status === 403) {
      return new LauncherError(`the Kubernetes API at ${server} refused ${doing} (HTTP ${status}${message ? `: ${message}` : ''}): check the kubeconfig user's permissions`);
    }
    return new LauncherError(`the Kubernetes API at ${server} answered HTTP ${status} while ${doing}${message ? `: ${message}` : ''}`);
  }
  const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new LauncherError(`${doing} failed against ${server}: ${text}`);
}

/** How often a call is tried when the API server answers that it is busy (about 15 s in all). */
const TRANSIENT_RETRIES = 6;

/** An answer that says "try again": too many requests, unavailable, timed out. */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiException && [429, 503, 504].includes(Number(error.code));
}


interface PodLike extends KubernetesObject {
  status?: {
    phase?: string;
    containerStatuses?: Array<{
      name?: string;
      state?: { terminated?: { exitCode?: number; reason?: string } };
      lastState?: { terminated?: { exitCode?: number; reason?: string } };
    }>;
  };
}

const selector = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

/** One runner pod's exit code, and what Kubernetes says when there is none (or it was not k6's). */
export function runnerPodOf(pod: PodLike, testRunName: string): RunnerPod {
  const name = pod.metadata?.name ?? '?';
  const jobName = pod.metadata?.labels?.['job-name'] ?? '';
  const index = Number(/-(\d+)$/.exec(jobName)?.[1] ?? new RegExp(`^${testRunName}-(\\d+)-`).exec(name)?.[1] ?? 0);
  const statuses = pod.status?.containerStatuses ?? [];
  const k6 = statuses.find((s) => s.name === 'k6') ?? statuses[0];
  const terminated = k6?.state?.terminated ?? k6?.lastState?.terminated;
  const exitCode = typeof terminated?.exitCode === 'number' ? terminated.exitCode : null;
  // k6's own exit codes speak for themselves; Kubernetes' reason matters when there is none, or
  // when the container was ended from outside (OOMKilled)
  const detail = exitCode === null
    ? `pod ${name} has not terminated (phase ${pod.status?.phase ?? 'unknown'})`
    : terminated?.reason && terminated.reason !== 'Completed' && terminated.reason !== 'Error' ? `pod ${name}: ${terminated.reason}` : undefined;
  return { instance: index, pod: name, exitCode, ...(detail ? { detail } : {}) };
}

/** Applies the run's ConfigMap + TestRun, follows it to the end and reads every runner's exit code. */
export async function launchTestRun(objects: RunObjects, options: LaunchOptions): Promise<TestRunReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const kc = options.kubeConfig;
  const server = kc.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)';
  const api = kc.makeApiClient(ObjectApi);
  const { testRun, configMap } = objects;
  const name = testRun.metadata.name;
  const namespace = testRun.metadata.namespace;
  const call = async <T>(doing: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        // a busy API server's 429/503 (or one whose storage is re-initializing after a new CRD)
        // passes: retried, so a moment of it never ends the follow of a run that goes on
        if (attempt < TRANSIENT_RETRIES && isTransient(error) && !options.signal?.aborted) {
          await sleep(250 * 2 ** attempt, options.signal);
          continue;
        }
        throw explainClusterError(error, server, doing);
      }
    }
  };

  await requireTestRunCrd(api, server);
  await call(`applying ConfigMap ${namespace}/${configMap.metadata.name}`, () =>
    api.patch(configMap, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
  );
  await call(`applying TestRun ${namespace}/${name}`, () =>
    api.patch(testRun as unknown as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
  );
  log(`applied TestRun ${namespace}/${name} (parallelism ${testRun.spec.parallelism})`);

  const pollMs = options.pollIntervalMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
  const deadline = started + timeoutMs;
  let stage: TestRunStage | 'unknown' = 'unknown';
  const startDeadline = started + (options.startTimeoutMs ?? 10 * 60_000);
  const RUNNING: readonly string[] = ['started', 'stopped', 'finished', 'error'];
  let ended: TestRunEnd | undefined;
  let reason: string | undefined;
  while (!ended) {
    if (options.signal?.aborted) {
      ended = 'aborted';
      break;
    }
    const current = await call(`reading TestRun ${namespace}/${name}`, () =>
      api.read({ apiVersion: testRun.apiVersion, kind: testRun.kind, metadata: { name, namespace } }),
    );
    const status = (current as { status?: { stage?: TestRunStage; conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> } }).status;
    const next = status?.stage ?? 'unknown';
    if (next !== stage) {
      log(`stage ${next} after ${Math.round((Date.now() - started) / 1000)}s`);
      stage = next;
      options.onStage?.(stage);
    }
    if (stage === 'finished') ended = stage;
    else if (stage === 'error') {
      ended = stage;
      const said = (status?.conditions ?? []).filter((c) => c.message).map((c) => `${c.type}: ${c.message}`);
      reason = `the TestRun ended in stage error${said.length ? ` (${said.join('; ')})` : ''}: see kubectl -n ${namespace} describe testrun ${name}`;
    } else if (Date.now() >= deadline) {
      ended = 'timeout';
      reason = `the TestRun did not end within ${timeoutMs} ms (last stage ${stage})`;
    } else if (!RUNNING.includes(stage) && Date.now() >= startDeadline) {
      ended = 'timeout';
      reason =
        `the runners had not started after ${Math.round((Date.now() - started) / 1000)} s (stage ${stage}): ` +
        `see kubectl -n ${namespace} get pods -l k6_cr=${name} (image pull, scheduling on the load pool, initializer errors)`;
    }
    else await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), options.signal);
  }

  const runners = await readRunners(api, testRun, call);
  if (ended === 'aborted' || ended === 'timeout') {
    if (ended === 'aborted') reason = 'aborted (Ctrl-C)';
    log(`${reason}: deleting TestRun ${name}, its jobs, pods and ConfigMap`);
    await deleteRun(api, testRun, configMap, call);
  } else if (options.deleteAfter) {
    await deleteRun(api, testRun, configMap, call);
  }
  return { testRun: name, namespace, stage, ended, runners, durationMs: Date.now() - started, ...(reason ? { reason } : {}) };
}

/**
 * The cluster the lab config names — its kubeconfig file and context, the ones the stacks deployed
 * into — never whatever context the kubeconfig happens to have current. '~/' is the home folder; a
 * relative path is taken from the folder the command runs in.
 */
export function kubeConfigOf(cluster: Pick<LabConfig['cluster'], 'kubeconfig' | 'context'>): KubeConfig {
  const file = resolve(cluster.kubeconfig.replace(/^~(?=\/)/, homedir()));
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    throw new LauncherError(`could not load the lab config's cluster.kubeconfig ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!kc.getContextObject(cluster.context)) {
    const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
    throw new LauncherError(`the lab config's cluster.context "${cluster.context}" is not in ${file} (contexts: ${known}): set cluster.context in your lab config`);
  }
  kc.setCurrentContext(cluster.context);
  return kc;
}

/** Is the k6-operator's CRD served? (A missing CRD would otherwise surface as a 404 deep in apply.) */
async function requireTestRunCrd(api: ObjectApi, server: string): Promise<void> {
  try {
    const resource = await api.served('k6.io/v1alpha1', 'TestRun');
    if (!resource) throw new ApiException(404, 'not found', {}, {});
  } catch (error) {
    if (error instanceof ApiException && Number(error.code) === 404) {
      throw new LauncherError(
        `the cluster at ${server} has no TestRun CRD (testruns.k6.io/v1alpha1): install the k6-operator first (npm run lab:up deploys it in the platform stack)`,
      );
    }
    throw explainClusterError(error, server, 'looking up the TestRun CRD');
  }
}

type Call = <T>(doing: string, fn: () => Promise<T>) => Promise<T>;

async function readRunners(api: KubernetesObjectApi, testRun: TestRun, call: Call): Promise<RunnerPod[]> {
  const name = testRun.metadata.name;
  const list = await call(`listing runner pods of ${name}`, () =>
    api.list('v1', 'Pod', testRun.metadata.namespace, undefined, undefined, undefined, undefined, selector(RUNNER_LABELS(name))),
  );
  const found = (list.items as PodLike[]).map((pod) => runnerPodOf(pod, name));
  // a runner without a pod (never scheduled, or cleaned up) still counts: no exit code
  const runners: RunnerPod[] = [];
  for (let instance = 1; instance <= testRun.spec.parallelism; instance++) {
    runners.push(found.find((r) => r.instance === instance) ?? { instance, pod: '(none)', exitCode: null, detail: 'no runner pod found' });
  }
  return runners;
}

async function deleteRun(api: KubernetesObjectApi, testRun: TestRun, configMap: ScriptConfigMap, call: Call): Promise<void> {
  const { name, namespace } = testRun.metadata;
  const ignoreMissing = async (doing: string, fn: () => Promise<unknown>) => {
    try {
      await call(doing, fn);
    } catch (error) {
      if (!(error instanceof LauncherError && / HTTP 404/.test(error.message))) throw error;
    }
  };
  await ignoreMissing(`deleting TestRun ${name}`, () =>
    api.delete({ apiVersion: testRun.apiVersion, kind: testRun.kind, metadata: { name, namespace } }, undefined, undefined, 0, undefined, 'Background'),
  );
  // the operator's jobs and pods (owned by the TestRun; deleted here too so nothing keeps running
  // even when garbage collection is slow)
  const everything = selector({ app: 'k6', k6_cr: name });
  for (const [apiVersion, kind] of [['batch/v1', 'Job'], ['v1', 'Pod']] as const) {
    const list = await call(`listing ${kind}s of ${name}`, () =>
      api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, everything),
    );
    for (const item of list.items) {
      await ignoreMissing(`deleting ${kind} ${item.metadata?.name}`, () =>
        api.delete({ apiVersion, kind, metadata: { name: item.metadata?.name, namespace } }, undefined, undefined, 0, undefined, 'Background'),
      );
    }
  }
  await ignoreMissing(`deleting ConfigMap ${configMap.metadata.name}`, () =>
    api.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMap.metadata.name, namespace } }),
  );
}
