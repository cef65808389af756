// A stand-in for the k6-operator (1.6.0) controller, for tests on a real API server where the
// operator itself cannot run: on the sim cluster no container runs (kwok nodes), so neither the
// operator's pod nor k6 does. Everything else is real — the API server stores and validates what
// the stand-in creates, the Job controller makes the pods, the scheduler places them by nodeSelector,
// requests and anti-affinity, the garbage collector follows owner references, kwok reports the pods
// Running and ends their containers.
//
// It follows grafana/k6-operator v1.6.0, one step per poll as internal/controller/testrun_controller.go
// does, with objects shaped like pkg/resources/jobs (runner.go, starter.go, initializer.go):
//   ''              -> conditions as v1alpha1.Initialize sets them; stage initialization; the
//                      initializer Job `<name>-initializer` (k6 archive + inspect).
//   initialization  -> its pod Failed: stage error; Succeeded: stage initialized.
//   initialized     -> per runner i a Job `<name>-<i>` (labels app=k6, k6_cr, runner=true and the
//                      TestRun's runner labels; the runner template's image, env, resources,
//                      nodeSelector, `separate`'s required hostname anti-affinity; the k6 run command
//                      with the execution segment, --paused, instance_id and testrun_name tags) and a
//                      Service `<name>-service-<i>`, all owned by the TestRun; stage created.
//   created         -> every runner pod Running: the starter Job `<name>-starter`; stage started.
//   started         -> every runner Job done (no pod active): stage stopped; then finished.
//   finished/error  -> cleanup: post deletes the TestRun.
// What it does not do, and why: read the initializer's `k6 inspect` JSON from its pod log (no
// kubelet, no log; so it cannot refuse parallelism > max VUs), reach the runners' REST API through
// their Services (no process listens; the starter's curl is not run either), cloud and PLZ runs.
//
// The k6 processes' exits are the test's script: runner pods are created held running (annotation
// SIM_EXIT_CODE_ANNOTATION: running, lab/sim/kwokConfig.ts) and, `runForMs` after the starter,
// each is given its exit code, which kwok reports as the k6 container's; the Job controller then
// marks each Job complete or failed, as it would after a real k6 exit.

import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { SIM_EXIT_CODE_ANNOTATION, SIM_EXIT_RUNNING } from '../lab/sim/kwokConfig.ts';
import type { PodTemplate, TestRun } from './testrun.ts';

/** How the test wants the run's processes to end. */
export interface StandInScript {
  /** runner i's k6 exit code at exitCodes[i - 1]; default 0. */
  exitCodes?: readonly number[];
  /** how long the runners "run" after the starter; default 300 ms. Infinity: until deleted. */
  runForMs?: number;
  /** the initializer's exit code (k6 archive/inspect); non-zero ends the run in stage error. */
  initializerExitCode?: number;
}

export interface OperatorStandInOptions extends StandInScript {
  kubeConfig: KubeConfig;
  /** the namespace it watches (the operator watches all; one is enough for a test). */
  namespace: string;
  pollMs?: number;
  log?: (line: string) => void;
}

export interface OperatorStandIn {
  /** every stage it set, per TestRun name, in order. */
  stages: Map<string, string[]>;
  /** errors it met (other than objects deleted under it), for a test to assert there were none. */
  errors: string[];
  stop(): Promise<void>;
}

type Obj = KubernetesObject & { spec?: any; status?: any };
type LiveTestRun = TestRun & { metadata: TestRun['metadata'] & { uid: string }; status?: { stage?: string; conditions?: Condition[] } };
interface Condition { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastTransitionTime: string }

const GROUP = 'k6.io';
const VERSION = 'v1alpha1';

/** The operator's labels of everything of a run (jobs/helpers.go newLabels). */
const runLabels = (name: string) => ({ app: 'k6', k6_cr: name });

/** Labels from the TestRun's template merged under the operator's own (theirs never override). */
function withTemplateLabels(own: Record<string, string>, template: PodTemplate | undefined): Record<string, string> {
  return { ...(template?.metadata?.labels ?? {}), ...own };
}

/** segmentation.go NewCommandFragments */
export function segmentArgs(index: number, total: number): string[] {
  const part = (i: number) => (i === 0 ? '0' : i === total ? '1' : `${i}/${total}`);
  const sequence = ['0', ...Array.from({ length: total - 1 }, (_, i) => `${i + 1}/${total}`), '1'].join(',');
  return [`--execution-segment=${part(index - 1)}:${part(index)}`, `--execution-segment-sequence=${sequence}`];
}

const ownerReference = (tr: LiveTestRun) => ({
  apiVersion: `${GROUP}/${VERSION}`, kind: 'TestRun', name: tr.metadata.name, uid: tr.metadata.uid, controller: true, blockOwnerDeletion: true,
});

const scriptVolume = (tr: LiveTestRun) => ({
  volumes: [{ name: 'k6-test-volume', configMap: { name: tr.spec.script.configMap.name } }],
  volumeMounts: [{ name: 'k6-test-volume', mountPath: '/test', readOnly: true }],
});

/** runner.go NewRunnerJob (no istio, no cloud), plus the hold annotation of the scripted exit. */
export function runnerJob(tr: LiveTestRun, index: number): Obj {
  const name = `${tr.metadata.name}-${index}`;
  const spec = tr.spec;
  const runner = spec.runner;
  const labels = withTemplateLabels({ ...runLabels(tr.metadata.name), runner: 'true' }, runner);
  const annotations = { ...(runner.metadata?.annotations ?? {}) };
  const file = `/test/${spec.script.configMap.file}`;
  const command = [
    'k6', 'run', '--quiet',
    ...(spec.parallelism > 1 ? segmentArgs(index, spec.parallelism) : []),
    ...spec.args,
    file, '--address=0.0.0.0:6565', '--paused',
    '--tag', `instance_id=${index}`, '--tag', `testrun_name=${tr.metadata.name}`,
  ];
  const probe = { httpGet: { path: '/v1/status', port: 6565, scheme: 'HTTP' } };
  const { volumes, volumeMounts } = scriptVolume(tr);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: tr.metadata.namespace, labels, annotations, ownerReferences: [ownerReference(tr)] },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels, annotations: { ...annotations, [SIM_EXIT_CODE_ANNOTATION]: SIM_EXIT_RUNNING } },
        spec: {
          automountServiceAccountToken: true,
          serviceAccountName: 'default',
          hostname: name,
          restartPolicy: 'Never',
          schedulerName: 'default-scheduler',
          ...(spec.separate ? { affinity: separateAntiAffinity() } : {}),
          ...(runner.nodeSelector ? { nodeSelector: runner.nodeSelector } : {}),
          securityContext: {},
          containers: [{
            name: 'k6',
            image: runner.image ?? 'grafana/k6:latest',
            command,
            env: runner.env ?? [],
            resources: runner.resources ?? {},
            volumeMounts,
            ports: [{ containerPort: 6565 }],
            livenessProbe: probe,
            readinessProbe: probe,
            securityContext: {},
          }],
          volumes,
        },
      },
    },
  };
}

/** runner.go newAntiAffinity: one runner per node. */
export function separateAntiAffinity() {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{
        labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['k6'] }, { key: 'runner', operator: 'In', values: ['true'] }] },
        topologyKey: 'kubernetes.io/hostname',
      }],
    },
  };
}

/** runner.go NewRunnerService */
function runnerService(tr: LiveTestRun, index: number): Obj {
  const labels = withTemplateLabels({ ...runLabels(tr.metadata.name), runner: 'true' }, tr.spec.runner);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${tr.metadata.name}-service-${index}`, namespace: tr.metadata.namespace, labels, annotations: { ...(tr.spec.runner.metadata?.annotations ?? {}) }, ownerReferences: [ownerReference(tr)] },
    spec: { ports: [{ name: 'http-api', port: 6565, protocol: 'TCP' }], selector: { 'job-name': `${tr.metadata.name}-${index}` } },
  };
}

/** initializer.go NewInitializerJob (its shell program abbreviated to the two k6 commands it runs). */
function initializerJob(tr: LiveTestRun, exitCode: number | undefined): Obj {
  const init = tr.spec.initializer ?? tr.spec.runner;
  const labels = withTemplateLabels(runLabels(tr.metadata.name), init);
  const file = tr.spec.script.configMap.file;
  const { volumes, volumeMounts } = scriptVolume(tr);
  const annotations = { ...(init.metadata?.annotations ?? {}) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${tr.metadata.name}-initializer`, namespace: tr.metadata.namespace, labels, annotations, ownerReferences: [ownerReference(tr)] },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels, annotations: exitCode === undefined ? annotations : { ...annotations, [SIM_EXIT_CODE_ANNOTATION]: String(exitCode) } },
        spec: {
          automountServiceAccountToken: true,
          serviceAccountName: 'default',
          restartPolicy: 'Never',
          schedulerName: 'default-scheduler',
          ...(init.nodeSelector ? { nodeSelector: init.nodeSelector } : {}),
          securityContext: {},
          containers: [{
            name: 'k6',
            image: init.image ?? 'grafana/k6:latest',
            command: ['sh', '-c', `k6 archive /test/${file} -O /tmp/${file}.archived.tar "$@" && k6 inspect --execution-requirements /tmp/${file}.archived.tar`, 'sh', ...tr.spec.args],
            env: init.env ?? [],
            resources: init.resources ?? {},
            volumeMounts,
            ports: [{ containerPort: 6565 }],
            securityContext: {},
          }],
          volumes,
        },
      },
    },
  };
}

/** starter.go NewStarterJob: curl PATCHes each runner's /v1/status to resume it. */
function starterJob(tr: LiveTestRun, hostnames: string[]): Obj {
  const starter = tr.spec.starter;
  const labels = withTemplateLabels(runLabels(tr.metadata.name), starter);
  const body = JSON.stringify({ data: { attributes: { paused: false }, id: 'default', type: 'status' } });
  const curls = hostnames.map((h) => `curl --retry 3 -X PATCH -H 'Content-Type: application/json' http://${h}:6565/v1/status -d '${body}'`);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${tr.metadata.name}-starter`, namespace: tr.metadata.namespace, labels, annotations: { ...(starter.metadata?.annotations ?? {}) }, ownerReferences: [ownerReference(tr)] },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels, annotations: { ...(starter.metadata?.annotations ?? {}) } },
        spec: {
          automountServiceAccountToken: true,
          serviceAccountName: 'default',
          restartPolicy: 'Never',
          schedulerName: 'default-scheduler',
          ...(starter.nodeSelector ? { nodeSelector: starter.nodeSelector } : {}),
          securityContext: {},
          containers: [{
            name: 'k6-curl',
            image: starter.image ?? 'ghcr.io/grafana/k6-operator:latest-starter',
            command: ['sh', '-c', curls.join(';')],
            resources: starter.resources ?? { requests: { cpu: '50m', memory: '2Mi' }, limits: { cpu: '100m', memory: '200Mi' } },
            securityContext: {},
          }],
        },
      },
    },
  };
}

/** v1alpha1.Initialize's conditions (no cloud, no PLZ). */
function initialConditions(now: string): Condition[] {
  const c = (type: string, status: Condition['status'], reason: string): Condition => ({ type, status, reason, message: '', lastTransitionTime: now });
  return [
    c('CloudTestRun', 'Unknown', 'TestRunTypeUnknown'),
    c('TestRunRunning', 'Unknown', 'TestRunPreparation'),
    c('TeardownExecuted', 'False', 'TeardownExecutedFalse'),
    c('CloudTestRunAborted', 'False', 'CloudTestRunAbortedFalse'),
    c('CloudPLZTestRun', 'False', 'CloudPLZTestRunFalse'),
  ];
}

function setCondition(conditions: Condition[], type: string, status: Condition['status'], reason: string): Condition[] {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return [...conditions.filter((c) => c.type !== type), { type, status, reason, message: '', lastTransitionTime: now }];
}

const isNotFound = (error: unknown) => error instanceof ApiException && Number(error.code) === 404;
/** "come back later" (429 storage initializing, too many requests): client-go retries these, so does the loop */
const isTransient = (error: unknown) => error instanceof ApiException && [429, 503].includes(Number(error.code));
/** the API server's own words for a failed call (client-node keeps the Status body as text) */
function describeError(error: unknown): string {
  if (!(error instanceof ApiException)) return (error as Error).message.split('\n')[0]!;
  let said = String(error.body ?? '');
  try {
    said = (JSON.parse(said) as { message?: string }).message ?? said;
  } catch { /* not JSON */ }
  return `HTTP ${error.code}: ${said.slice(0, 300)}`;
}
const isConflict = (error: unknown) => error instanceof ApiException && Number(error.code) === 409;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the stand-in's loop over the namespace's TestRuns; stop() ends it. */
export function startOperatorStandIn(options: OperatorStandInOptions): OperatorStandIn {
  const api = options.kubeConfig.makeApiClient(KubernetesObjectApi);
  const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const log = options.log ?? (() => {});
  const ns = options.namespace;
  const stages = new Map<string, string[]>();
  const errors: string[] = [];
  /** per TestRun uid: when its runners were started, whether their exits were given */
  const runs = new Map<string, { startedAt?: number; exited?: boolean }>();
  let stopped = false;

  const setStatus = async (tr: LiveTestRun, stage: string, conditions: Condition[]) => {
    await custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: ns, plural: 'testruns', name: tr.metadata.name, body: { status: { stage, conditions } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    stages.set(tr.metadata.name, [...(stages.get(tr.metadata.name) ?? []), stage]);
    log(`operator stand-in: ${tr.metadata.name} stage ${stage}`);
  };
  const create = async (obj: Obj) => {
    try {
      await api.create(obj);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  };
  const list = async (apiVersion: string, kind: string, labels: Record<string, string>) =>
    (await api.list(apiVersion, kind, ns, undefined, undefined, undefined, undefined, Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','))).items as Obj[];

  async function reconcile(tr: LiveTestRun): Promise<void> {
    const name = tr.metadata.name;
    const stage = tr.status?.stage ?? '';
    const conditions = tr.status?.conditions ?? [];
    const run = runs.get(tr.metadata.uid) ?? {};
    runs.set(tr.metadata.uid, run);
    switch (stage) {
      case '': {
        await setStatus(tr, 'initialization', initialConditions(new Date().toISOString().replace(/\.\d+Z$/, 'Z')));
        await create(initializerJob(tr, options.initializerExitCode));
        return;
      }
      case 'initialization': {
        const [pod] = await list('v1', 'Pod', { ...runLabels(name), 'job-name': `${name}-initializer` });
        if (pod?.status?.phase === 'Failed') await setStatus(tr, 'error', conditions);
        else if (pod?.status?.phase === 'Succeeded') await setStatus(tr, 'initialized', setCondition(conditions, 'CloudTestRun', 'False', 'TestRunTypeK6'));
        return;
      }
      case 'initialized': {
        for (let i = 1; i <= tr.spec.parallelism; i++) {
          await create(runnerJob(tr, i));
          await create(runnerService(tr, i));
        }
        await setStatus(tr, 'created', conditions);
        return;
      }
      case 'created': {
        const pods = await list('v1', 'Pod', { ...runLabels(name), runner: 'true' });
        if (pods.filter((p) => p.status?.phase === 'Running').length !== tr.spec.parallelism) return;
        const services = await list('v1', 'Service', { ...runLabels(name), runner: 'true' });
        await create(starterJob(tr, services.map((s) => s.spec?.clusterIP as string)));
        run.startedAt = Date.now();
        await setStatus(tr, 'started', setCondition(conditions, 'TestRunRunning', 'True', 'TestRunRunningTrue'));
        return;
      }
      case 'started': {
        const runFor = options.runForMs ?? 300;
        if (!run.exited && run.startedAt !== undefined && Date.now() - run.startedAt >= runFor) {
          // the k6 processes end: each runner's exit code, as the test scripted it
          for (const pod of await list('v1', 'Pod', { ...runLabels(name), runner: 'true' })) {
            const index = Number(/-(\d+)$/.exec(pod.metadata?.labels?.['job-name'] ?? '')?.[1]);
            const code = options.exitCodes?.[index - 1] ?? 0;
            await api.patch({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata!.name, namespace: ns, annotations: { [SIM_EXIT_CODE_ANNOTATION]: String(code) } } },
              undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
          }
          run.exited = true;
        }
        if (run.startedAt === undefined) run.startedAt = Date.now(); // a stand-in restarted mid-run
        // k6_finish.go FinishJobs: every runner job has no active pod (and, here, has ended one)
        const jobs = await list('batch/v1', 'Job', { ...runLabels(name), runner: 'true' });
        const done = jobs.filter((j) => !j.status?.active && ((j.status?.succeeded ?? 0) > 0 || (j.status?.failed ?? 0) > 0));
        if (jobs.length === tr.spec.parallelism && done.length === jobs.length) {
          await setStatus(tr, 'stopped', setCondition(conditions, 'TestRunRunning', 'False', 'TestRunRunningFalse'));
        }
        return;
      }
      case 'stopped':
        await setStatus(tr, 'finished', conditions);
        return;
      case 'finished':
      case 'error':
        if (tr.spec.cleanup === 'post') await api.delete(tr as unknown as KubernetesObject).catch((e) => { if (!isNotFound(e)) throw e; });
        return;
      default:
        throw new Error(`TestRun ${name}: unknown stage ${stage}`);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        const testRuns = (await api.list(`${GROUP}/${VERSION}`, 'TestRun', ns)).items as unknown as LiveTestRun[];
        for (const tr of testRuns) {
          if ((tr.metadata as { deletionTimestamp?: string }).deletionTimestamp) continue;
          try {
            await reconcile(tr);
          } catch (error) {
            // a TestRun deleted under it (Ctrl-C) is not an error: the operator logs "Request deleted"
            if (!isNotFound(error) && !isTransient(error)) errors.push(`${tr.metadata.name}: ${describeError(error)}`);
          }
        }
      } catch (error) {
        if (!isNotFound(error) && !isTransient(error)) errors.push(describeError(error));
      }
      await sleep(options.pollMs ?? 100);
    }
  })();

  return {
    stages,
    errors,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
