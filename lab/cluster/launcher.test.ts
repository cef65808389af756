// The launcher against a real API server: the sim cluster (lab/sim: etcd, kube-apiserver,
// controller-manager, scheduler v1.36, kwok nodes shaped like the sim profile's pools), the lab's
// namespaces (Pod Security levels included), the k6-operator's own TestRun CRD (v1.6.0), and the
// ConfigMap + TestRun a `--dry-run` prints (clusterRunObjects of lab/run, a real bundle).
//
// No k6-operator runs there (kwok nodes run no containers), so the tests that need one start the
// operator stand-in (k6-operator/operatorStandIn.ts): it moves status.stage and creates the
// initializer, runner and starter Jobs and runner Services as operator 1.6.0 shapes them; the Job
// controller makes their pods, the scheduler places them, the garbage collector follows owner
// references, and kwok reports the pods Running and ends each k6 container with the exit code the
// test scripts. Those tests say "operator stand-in" in their names.
//
// Wall time on 2 cores: ~45 s (the cluster ~10 s, the bundle ~1.5 s, each run 2-6 s).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ApiException, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { DEFAULT_RUNNER_RESOURCES, type RunObjects } from '../../k6-operator/testrun.ts';
import { writeTestRunCrd } from '../../k6-operator/crd.ts';
import { startOperatorStandIn, type StandInScript } from '../../k6-operator/operatorStandIn.ts';
import { resolveLabConfig } from '../config/index.ts';
import { runnersFit } from '../config/fit.ts';
import { parseRunFlags } from '../run/flags.ts';
import { planRun } from '../run/plan.ts';
import { prepareScenario, type PreparedScenario } from '../run/prepare.ts';
import { clusterRunObjects } from '../run/clusterTarget.ts';
import { describePods, eventually, installCrds, startLabSim, writeObjects, type LabSim } from '../../test/sim/labSim.ts';
import { labNamespaces } from './manifests/namespaces.ts';
import { nodeSelectorFor } from './pools.ts';
import { isTransient, kubeConfigOf, launchTestRun, LauncherError, type LaunchOptions, type TestRunStage } from './launcher.ts';

const config = resolveLabConfig({ profile: 'sim' });
const ns = config.namespaces.load;
const loadNode = `${config.cluster.name}-${config.k6Operator.runnerPool}`;
let sim: LabSim;
let kc: KubeConfig;
let prepared: PreparedScenario;
let crdInstalled = false;

/** The flags of `run.mjs soak --target cluster --dry-run` (the Prometheus URL is never reached). */
const planOf = (parallelism: number) => planRun(parseRunFlags(['--target', 'cluster', '--prometheus-url', 'http://127.0.0.1:9',
  '--vus', '8', '--duration', '10s', '--parallelism', String(parallelism), '--results-dir', `${sim.dir}/results`], 'run-soak'), 'run-soak');
/** The ConfigMap + TestRun a dry run prints for this many runners. */
const runObjects = (parallelism: number): RunObjects => clusterRunObjects(planOf(parallelism), prepared, config);

before(async () => {
  sim = await startLabSim(config, 'launcher');
  // the lab's namespaces as the platform stack creates them: runner pods meet the load namespace's Pod Security level
  sim.must(['apply', '--server-side', '-f', writeObjects(sim, 'namespaces.yaml', labNamespaces(config))]);
  // the cluster as the lab config names it (kubeconfig file and context), as a cluster run reaches it
  kc = kubeConfigOf({ kubeconfig: sim.cluster.kubeconfigPath, context: sim.cluster.context });
  prepared = await prepareScenario(planOf(4), `${sim.dir}/build`);
}, { timeout: 40 * 60_000 });

after(async () => {
  await sim?.stop();
});

async function installTestRunCrd(): Promise<void> {
  if (crdInstalled) return;
  await installCrds(sim, [writeTestRunCrd(`${sim.dir}/crds`)]);
  crdInstalled = true;
}

/** `stored` restricted to the keys `sent` has, recursively (objects; arrays compared whole). */
function withoutDefaults(stored: unknown, sent: unknown): unknown {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent) || typeof stored !== 'object' || stored === null) return stored;
  return Object.fromEntries(Object.keys(sent).map((k) => [k, withoutDefaults((stored as Record<string, unknown>)[k], (sent as Record<string, unknown>)[k])]));
}

const FOLLOW = { pollIntervalMs: 100, timeoutMs: 60_000, startTimeoutMs: 30_000 } satisfies Partial<LaunchOptions>;

/** Runs the objects with the operator stand-in playing `script`; the stand-in stops with the launch. */
async function runWithStandIn(objects: RunObjects, script: StandInScript, options: Partial<LaunchOptions> = {}) {
  await installTestRunCrd();
  const operator = startOperatorStandIn({ kubeConfig: sim.kc, namespace: ns, ...script });
  const lines: string[] = [];
  try {
    const report = await launchTestRun(objects, { kubeConfig: kc, ...FOLLOW, log: (l) => lines.push(l), ...options });
    return { report, lines, operator };
  } finally {
    await operator.stop();
    assert.deepEqual(operator.errors, [], 'the stand-in met no error');
  }
}

const podsOf = async (name: string, extra: Record<string, string> = {}) =>
  (await sim.core.listNamespacedPod({ namespace: ns, labelSelector: Object.entries({ app: 'k6', k6_cr: name, ...extra }).map(([k, v]) => `${k}=${v}`).join(',') })).items;

/** Runs whose TestRun was deleted: the garbage collector owes us their runner Services (last test). */
const deletedRuns: string[] = [];

/**
 * Waits until nothing the launcher deletes is left of the run on the API server (what Ctrl-C and a
 * timeout promise): the TestRun, its jobs and pods, the ConfigMap. The runner Services go with the
 * TestRun through the garbage collector, which learns a new CRD's kind only at its next discovery
 * sync (every 30 s): the last test checks them.
 */
async function nothingLeftOf(objects: RunObjects): Promise<void> {
  const name = objects.testRun.metadata.name;
  const run = `app=k6,k6_cr=${name}`;
  deletedRuns.push(name);
  await eventually(`nothing of ${name} left`, async () => {
    const left = [
      ...sim.must(['-n', ns, 'get', 'testruns,jobs,pods', '-l', run, '-o', 'name']).trim().split('\n'),
      ...sim.must(['-n', ns, 'get', 'testruns,configmaps', '--field-selector', `metadata.name=${name}`, '-o', 'name']).trim().split('\n'),
    ].filter(Boolean);
    return { value: left.length === 0 || undefined, saw: left.join(', ') };
  }, 30_000);
}

test('a cluster without the k6-operator CRD is a clear error, and nothing is applied (real API server)', async () => {
  const objects = runObjects(2);
  await assert.rejects(launchTestRun(objects, { kubeConfig: kc, ...FOLLOW }), (error: unknown) => {
    assert.ok(error instanceof LauncherError, String(error));
    assert.match(error.message, /has no TestRun CRD \(testruns\.k6\.io\/v1alpha1\): install the k6-operator/);
    assert.ok(error.message.includes(sim.cluster.server));
    assert.doesNotMatch(error.message, /\n\s+at /);
    return true;
  });
  assert.equal(sim.must(['-n', ns, 'get', 'configmaps', '-l', `perflab.dev/run-id=${objects.testRun.metadata.labels!['perflab.dev/run-id']}`, '-o', 'name']).trim(), '');
});

test('2 runners side by side on the load node: ConfigMap and TestRun applied server-side, every stage followed to finished, each runner\'s exit code read back (operator stand-in, real API server)', async () => {
  const objects = runObjects(2);
  const name = objects.testRun.metadata.name;
  assert.equal(objects.testRun.spec.separate, false, 'one load node: the runners share it (F7)');
  const stages: Array<TestRunStage | 'unknown'> = [];
  const { report, lines, operator } = await runWithStandIn(objects, { exitCodes: [0, 99] }, { onStage: (s) => stages.push(s) });

  assert.deepEqual(operator.stages.get(name), ['initialization', 'initialized', 'created', 'started', 'stopped', 'finished']);
  assert.equal(stages.at(-1), 'finished');
  assert.ok(lines.some((l) => l === `applied TestRun ${ns}/${name} (parallelism 2)`), lines.join('\n'));
  assert.deepEqual({ ...report, durationMs: 0, runners: [] }, { testRun: name, namespace: ns, stage: 'finished', ended: 'finished', runners: [], durationMs: 0 });
  assert.deepEqual(report.runners.map((r) => [r.instance, r.exitCode, r.detail]), [[1, 0, undefined], [2, 99, undefined]]);
  for (const r of report.runners) assert.match(r.pod, new RegExp(`^${name}-${r.instance}-[a-z0-9]{5}$`));

  // the objects as the API server stored them: applied by field manager perflab, kept after the run
  for (const [kind, objName] of [['configmap', name], ['testrun', name]]) {
    const stored = JSON.parse(sim.must(['-n', ns, 'get', kind, objName, '-o', 'json', '--show-managed-fields']));
    assert.ok(stored.metadata.managedFields.some((m: any) => m.manager === 'perflab' && m.operation === 'Apply'), `${kind} applied server-side`);
    if (kind === 'configmap') assert.equal(stored.data['soak.js'], objects.configMap.data['soak.js'], 'the bundle, whole');
    if (kind === 'testrun') {
      // every field as built: nothing pruned by the CRD's schema
      assert.deepEqual(withoutDefaults(stored.spec, objects.testRun.spec), objects.testRun.spec);
    }
  }
  // the scheduler put both runners on the load pool's node, with the TestRun's requests
  const pods = await podsOf(name, { runner: 'true' });
  assert.equal(pods.length, 2, describePods(pods));
  for (const pod of pods) {
    assert.equal(pod.spec?.nodeName, loadNode, describePods([pod]));
    assert.deepEqual(pod.spec?.nodeSelector, nodeSelectorFor('load'));
    assert.deepEqual(pod.spec?.containers[0]?.resources?.requests, DEFAULT_RUNNER_RESOURCES.requests);
  }
  // the initializer and the starter ran on the load pool too
  for (const job of ['initializer', 'starter']) {
    const [pod] = await podsOf(name, { 'job-name': `${name}-${job}` });
    assert.equal(pod?.spec?.nodeName, loadNode, `${job}: ${describePods(pod ? [pod] : [])}`);
    assert.equal(pod?.status?.phase, 'Succeeded');
  }
});

test('4 runners side by side on the one load node (F7), exit codes 0, 0, 107, 99 each reported as they are; deleteAfter removes the run (operator stand-in, real API server)', async () => {
  const objects = runObjects(4);
  const name = objects.testRun.metadata.name;
  assert.deepEqual(runnersFit(config, { count: 4, requests: DEFAULT_RUNNER_RESOURCES.requests, separate: false }), []);
  let pods: V1Pod[] = [];
  const { report } = await runWithStandIn(objects, { exitCodes: [0, 0, 107, 99] }, {
    deleteAfter: true,
    // the pods as they ran, read when the runners had started (deleteAfter removes them at the end)
    onStage: (s) => { if (s === 'started') void podsOf(name, { runner: 'true' }).then((p) => (pods = p)); },
  });
  assert.equal(report.ended, 'finished');
  assert.deepEqual(report.runners.map((r) => [r.instance, r.exitCode]), [[1, 0], [2, 0], [3, 107], [4, 99]]);
  assert.equal(pods.length, 4, describePods(pods));
  assert.deepEqual([...new Set(pods.map((p) => p.spec?.nodeName))], [loadNode], describePods(pods));
  await nothingLeftOf(objects);
});

test('separate: true gives each runner a node of its own: on the lab\'s one load node the second stays Pending (pod anti-affinity), the run never starts and times out with the hint; runnersFit says so up front (operator stand-in, real scheduler)', async () => {
  assert.match(runnersFit(config, { count: 2, requests: DEFAULT_RUNNER_RESOURCES.requests, separate: true }).join('\n'), /2 runners with separate: true need 2 nodes in pool load/);
  // the run as a pool with a node per runner gets it (clusterRunObjects sets separate only there)
  const objects = runObjects(2);
  objects.testRun.spec.separate = true;
  const name = objects.testRun.metadata.name;
  let runners: V1Pod[] = [];
  const { report } = await runWithStandIn(objects, { exitCodes: [0, 0] }, {
    startTimeoutMs: 4_000,
    log: (line) => {
      // the moment the launcher gives up (before it deletes the run): the runners as the scheduler left them
      if (line.startsWith('the runners had not started')) runners = JSON.parse(sim.must(['-n', ns, 'get', 'pods', '-l', `k6_cr=${name},runner=true`, '-o', 'json'])).items;
    },
  });
  assert.equal(report.ended, 'timeout');
  assert.equal(report.stage, 'created', 'the stand-in, like the operator, starts nothing until every runner runs');
  assert.match(report.reason ?? '', new RegExp(`runners had not started after \\d+ s \\(stage created\\): see kubectl -n ${ns} get pods -l k6_cr=${name} \\(image pull, scheduling on the load pool`));
  const placed = runners.filter((p) => p.spec?.nodeName === loadNode);
  const pending = runners.filter((p) => p.status?.phase === 'Pending');
  assert.deepEqual([placed.length, pending.length], [1, 1], describePods(runners));
  assert.match(describePods(pending), /Unschedulable: 0\/5 nodes are available: .*didn't match pod anti-affinity rules/);
  await nothingLeftOf(objects);
});

test('Ctrl-C while the runners run deletes the TestRun, its jobs, pods and ConfigMap (operator stand-in, real API server)', async () => {
  const objects = runObjects(2);
  const name = objects.testRun.metadata.name;
  const controller = new AbortController();
  let running: V1Pod[] = [];
  const { report, lines } = await runWithStandIn(objects, { runForMs: Number.POSITIVE_INFINITY }, {
    signal: controller.signal,
    onStage: (s) => {
      if (s !== 'started') return;
      void podsOf(name, { runner: 'true' }).then((p) => {
        running = p;
        controller.abort();
      });
    },
  });
  assert.equal(report.ended, 'aborted');
  assert.equal(report.reason, 'aborted (Ctrl-C)');
  assert.ok(lines.some((l) => l === `aborted (Ctrl-C): deleting TestRun ${name}, its jobs, pods and ConfigMap`), lines.join('\n'));
  assert.equal(running.length, 2, 'the runners were running when Ctrl-C came');
  assert.ok(running.every((p) => p.status?.phase === 'Running'), describePods(running));
  // the runners read at the abort had not ended: no exit code, and why
  assert.deepEqual(report.runners.map((r) => r.exitCode), [null, null]);
  assert.match(report.runners[0]!.detail ?? '', /has not terminated \(phase Running\)/);
  await nothingLeftOf(objects);
});

test('runners that never start (the initializer cannot be scheduled: the load node is cordoned) time out early with a hint whose kubectl shows why, and the run is deleted (operator stand-in, real scheduler)', async () => {
  const objects = runObjects(2);
  const name = objects.testRun.metadata.name;
  let hinted = '';
  sim.must(['cordon', loadNode]);
  try {
    const { report } = await runWithStandIn(objects, {}, {
      startTimeoutMs: 3_000,
      log: (line) => {
        // the moment the launcher gives up (before it deletes): run the command its hint names
        const hint = /see kubectl (-n \S+ get pods -l \S+)/.exec(line)?.[1];
        if (hint) hinted = sim.must([...hint.split(' '), '-o', 'wide']);
      },
    });
    assert.equal(report.ended, 'timeout');
    assert.equal(report.stage, 'initialization');
    assert.match(report.reason ?? '', new RegExp(`runners had not started after \\d+ s \\(stage initialization\\): see kubectl -n ${ns} get pods -l k6_cr=${name} `));
    assert.ok(report.durationMs < 15_000);
    assert.match(hinted, new RegExp(`${name}-initializer-\\w+\\s+0/1\\s+Pending`), hinted);
  } finally {
    sim.must(['uncordon', loadNode]);
  }
  await nothingLeftOf(objects);
});

test('an initializer that fails (k6 inspect) ends the TestRun in stage error; the reason names what to look at, no runner ran (operator stand-in, real API server)', async () => {
  const objects = runObjects(2);
  const name = objects.testRun.metadata.name;
  const { report } = await runWithStandIn(objects, { initializerExitCode: 1 }, { deleteAfter: true });
  assert.equal(report.ended, 'error');
  assert.equal(report.stage, 'error');
  assert.match(report.reason ?? '', new RegExp(`the TestRun ended in stage error: see kubectl -n ${ns} describe testrun ${name}`));
  assert.deepEqual(report.runners.map((r) => [r.exitCode, r.detail]), [[null, 'no runner pod found'], [null, 'no runner pod found']]);
  await nothingLeftOf(objects);
});

test('a runner whose pod the cluster refuses (a ResourceQuota on the load namespace) still counts, with no exit code; the run never starts and times out (operator stand-in, real quota admission)', async () => {
  // room for one runner's 500m, not two; best-effort pods (initializer, starter) are not counted
  sim.must(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'one-runner', namespace: ns },
    spec: { hard: { 'requests.cpu': '700m' }, scopes: ['NotBestEffort'] },
  }));
  try {
    await eventually('the quota counted', async () => {
      const quota = JSON.parse(sim.must(['-n', ns, 'get', 'resourcequota', 'one-runner', '-o', 'json']));
      return { value: quota.status?.used?.['requests.cpu'] !== undefined || undefined, saw: JSON.stringify(quota.status ?? {}) };
    });
    const objects = runObjects(2);
    const name = objects.testRun.metadata.name;
    let refused = '';
    const { report } = await runWithStandIn(objects, {}, {
      startTimeoutMs: 4_000,
      log: (line) => {
        if (line.startsWith('the runners had not started')) refused = sim.must(['-n', ns, 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}']);
      },
    });
    assert.equal(report.ended, 'timeout');
    assert.equal(report.stage, 'created');
    // which of the two Jobs got its pod first is the Job controller's race: one did, one did not
    const [ran, missing] = [...report.runners].sort((a, b) => Number(a.exitCode === null && a.pod === '(none)') - Number(b.exitCode === null && b.pod === '(none)'));
    assert.match(ran!.pod, new RegExp(`^${name}-${ran!.instance}-`));
    assert.deepEqual([ran!.exitCode, ran!.detail], [null, `pod ${ran!.pod} has not terminated (phase Running)`]);
    assert.deepEqual([missing!.pod, missing!.exitCode, missing!.detail], ['(none)', null, 'no runner pod found']);
    assert.match(refused, /exceeded quota: one-runner, requested: requests\.cpu=500m, used: requests\.cpu=500m, limited: requests\.cpu=700m/);
    await nothingLeftOf(objects);
  } finally {
    sim.must(['-n', ns, 'delete', 'resourcequota', 'one-runner']);
  }
});

test('a run that does not end in time is deleted (operator stand-in, real API server)', async () => {
  const objects = runObjects(2);
  const { report } = await runWithStandIn(objects, { runForMs: Number.POSITIVE_INFINITY }, { timeoutMs: 3_500 });
  assert.equal(report.ended, 'timeout');
  // (stage started here within a second or two; a slow machine may still be creating the runners)
  assert.match(report.reason ?? '', new RegExp(`the TestRun did not end within 3500 ms \\(last stage ${report.stage}\\)`));
  assert.ok(['created', 'started'].includes(report.stage), report.stage);
  await nothingLeftOf(objects);
});

test('a kubeconfig user the API server does not allow gets the 403 in words (real RBAC: a ServiceAccount with no role)', async () => {
  await installTestRunCrd();
  sim.must(['-n', ns, 'create', 'serviceaccount', 'nobody']);
  const token = sim.must(['-n', ns, 'create', 'token', 'nobody', '--duration=10m']).trim();
  const admin = kc.getCurrentCluster()!;
  const nobody = new KubeConfig();
  nobody.loadFromOptions({
    clusters: [{ name: 'sim', server: admin.server, caData: admin.caData }],
    users: [{ name: 'nobody', token }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'nobody' }],
    currentContext: 'sim',
  });
  const objects = runObjects(2);
  await assert.rejects(launchTestRun(objects, { kubeConfig: nobody, ...FOLLOW }), (error: unknown) => {
    assert.ok(error instanceof LauncherError, String(error));
    assert.match(error.message, new RegExp(`the Kubernetes API at ${admin.server} refused applying ConfigMap ${ns}/${objects.configMap.metadata.name} \\(HTTP 403: .*system:serviceaccount:${ns}:nobody.*\\): check the kubeconfig user's permissions`));
    return true;
  });
  // and the admin sees nothing applied
  assert.equal(sim.kubectl(['-n', ns, 'get', 'configmap', objects.configMap.metadata.name]).status, 1);
});

test('an unreachable API server is a clear error naming the server', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve())); // nothing listens there now
  const nowhere = new KubeConfig();
  nowhere.loadFromOptions({
    clusters: [{ name: 'gone', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'gone', cluster: 'gone', user: 'u' }],
    currentContext: 'gone',
  });
  await assert.rejects(launchTestRun(runObjects(1), { kubeConfig: nowhere, ...FOLLOW }), (error: unknown) => {
    assert.ok(error instanceof LauncherError, String(error));
    assert.match(error.message, new RegExp(`cannot reach the Kubernetes API at https://127.0.0.1:${port} \\(ECONNREFUSED\\)`));
    return true;
  });
});

test('the garbage collector removes the runner Services of every deleted run (owned by their TestRun; real controller-manager)', async () => {
  assert.ok(deletedRuns.length >= 5, deletedRuns.join(', '));
  // the garbage collector picks up a new CRD's kind at its next discovery sync (every 30 s)
  await eventually('no runner Service of a deleted run', async () => {
    const left = sim.must(['-n', ns, 'get', 'services', '-l', 'app=k6,runner=true', '-o', 'jsonpath={.items[*].metadata.labels.k6_cr}']).split(' ').filter((n) => deletedRuns.includes(n));
    return { value: left.length === 0 || undefined, saw: `Services of ${[...new Set(left)].join(', ')}` };
  }, 90_000);
});

test('a busy API server (429, 503, 504) is retried; other answers are not', () => {
  for (const code of [429, 503, 504]) assert.equal(isTransient(new ApiException(code, 'busy', {}, {})), true, String(code));
  for (const code of [400, 403, 404, 409, 500]) assert.equal(isTransient(new ApiException(code, 'no', {}, {})), false, String(code));
  assert.equal(isTransient(new Error('ECONNREFUSED')), false, 'an unreachable server fails at once');
});
