// The cluster target through the run skeleton, up to the launcher boundary: the objects handed to
// the launcher, the facts it reports (exit codes, why a TestRun ended early) carried into the
// verdict and summary, and the failures a user meets (Prometheus not reachable, cluster
// unreachable, the wrong context), with a stand-in launcher and a real Prometheus.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { freePort, LOOPBACK } from '../local/ports.ts';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { PrometheusClient } from '../analysis/prometheusClient.ts';
import type { RunObjects } from '../../k6-operator/testrun.ts';
import { EXIT_CODES } from '../exitCodes.ts';
import { parseRunFlags } from './flags.ts';
import { planRun } from './plan.ts';
import { prepareScenario, type PreparedScenario } from './prepare.ts';
import { clusterRunObjects, clusterTarget, separateRunners, type ClusterDeps, type ClusterLauncher } from './clusterTarget.ts';
import { UsageError } from './flags.ts';
import { startProgress } from './progress.ts';
import { executeRun } from './executeRun.ts';
import { runResultsDir } from '../results/resultsFolder.ts';
import type { RunIo } from './io.ts';
import type { RunPlan } from './plan.ts';
import type { TestRunReport } from '../cluster/launcher.ts';
import { loadLabConfig } from '../config/index.ts';
import { clusterTargetSelector, clusterTargetService } from '../cluster/names.ts';

let dir: string;
let supervisor: Supervisor;
let promUrl: string;
let prepared: PreparedScenario;

const io = (lines: string[], signal = new AbortController().signal): RunIo => ({ log: (l) => lines.push(l), write: () => {}, tty: false, signal });
const plan = (extra: string[] = []) => planRun(parseRunFlags(['--target', 'cluster', '--prometheus-url', promUrl, '--vus', '4',
  '--duration', '10s', '--results-dir', join(dir, 'results'), ...extra], 'run-soak'), 'run-soak');

/** One cluster run through the run skeleton, as run-soak.mjs --target cluster does it. */
function runCluster(p: RunPlan, runIo: RunIo, deps: ClusterDeps = {}) {
  const ctx = { plan: p, prepared, resultsDir: runResultsDir(p.resultsRoot, p.runId), io: runIo };
  return executeRun(ctx, clusterTarget(ctx, deps));
}

/** What the launcher reports of a TestRun that ended as `ended`, with these runners' exit codes. */
const report = (ended: TestRunReport['ended'], exitCodes: Array<number | null>, reason?: string): TestRunReport => ({
  testRun: 'soak-x', namespace: 'perflab-load', stage: ended === 'timeout' ? 'initialization' : ended === 'aborted' ? 'started' : ended, ended,
  runners: exitCodes.map((exitCode, i) => ({ instance: i + 1, pod: `soak-x-${i + 1}-abcde`, exitCode })), durationMs: 1,
  ...(reason ? { reason } : {}),
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflab-cluster-run-'));
  supervisor = new Supervisor(join(dir, 'state'));
  const port = await freePort();
  promUrl = `http://${LOOPBACK}:${port}`;
  writeFileSync(join(dir, 'prometheus.yml'), 'global: { scrape_interval: 15s }\n');
  supervisor.start('prometheus', LOCAL_LAB_BINARIES.prometheus.path, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=${LOOPBACK}:${port}`, '--web.enable-remote-write-receiver', '--enable-feature=native-histograms',
  ]);
  const client = new PrometheusClient(promUrl);
  for (let i = 0; i < 100 && !(await client.isReady()); i++) await new Promise((r) => setTimeout(r, 100));
  prepared = await prepareScenario(plan(), join(dir, 'build'));
});

after(async () => {
  await supervisor.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

test('the launcher gets the bundle ConfigMap and a TestRun for this run; its exit codes reach summary.json (stand-in API)', async () => {
  const p = plan(['--parallelism', '2']);
  let given: RunObjects | undefined;
  const launcher: ClusterLauncher = async (objects) => {
    given = objects;
    return report('finished', [0, 99]);
  };
  const lines: string[] = [];
  const outcome = await runCluster(p, io(lines), { launcher });
  assert.ok(given);
  assert.equal(given.configMap.data['soak.js'], readFileSync(prepared.bundlePath, 'utf8'));
  assert.equal(given.testRun.spec.parallelism, 2);
  assert.ok(given.testRun.spec.args!.includes(`testid=${p.runId}`));
  const env = Object.fromEntries(given.testRun.spec.runner!.env!.map((e) => [e.name, e.value]));
  assert.deepEqual([env.PROFILE, env.VUS, env.DURATION], ['full', '4', '10s']);
  const config = loadLabConfig();
  // the target chart's Service (release "target-api" contains the chart name: the release is the name)
  assert.equal(env.BASE_URL, `http://${config.target.releaseName}.${config.namespaces.app}.svc`);
  assert.equal(clusterTargetSelector(config), `job="${config.target.releaseName}",namespace="${config.namespaces.app}"`);

  const summary = JSON.parse(readFileSync(join(outcome.resultsDir!, 'summary.json'), 'utf8'));
  assert.equal(summary.target, 'cluster');
  assert.deepEqual(summary.runners, [{ instance: 1, exitCode: 0 }, { instance: 2, exitCode: 99 }]);
  assert.equal(summary.prometheusUrl, promUrl);
  // nothing was remote-written for this testid: no SLA is measured, which is a lab failure, not a pass
  assert.equal(outcome.exitCode, EXIT_CODES.labFailure);
  assert.ok(summary.slas.every((s: { status: string }) => s.status === 'not-measured'));
  // a runner's exit 99 judged its slice only: reported, not the verdict (thresholds are judged across runners)
  assert.match(summary.verdict.warnings.join('\n'), /runner 2 failed its k6 thresholds \(exit 99\) on its own slice/);
});

test('an unreachable cluster is a lab failure whose reason is the launcher\'s message (stand-in API)', async () => {
  const p = plan();
  const launcher: ClusterLauncher = async () => {
    throw new Error('cannot reach the cluster at https://127.0.0.1:6443: connect ECONNREFUSED');
  };
  const outcome = await runCluster(p, io([]), { launcher });
  assert.equal(outcome.exitCode, EXIT_CODES.labFailure);
  assert.match(outcome.summary!.verdict.reasons.join('\n'), /cluster: cannot reach the cluster at https:\/\/127\.0\.0\.1:6443/);
});

test('a Prometheus that is not reachable stops the run before the launcher, naming the port-forward (stand-in API)', async () => {
  const port = await freePort();
  const p = { ...plan(), prometheusUrl: `http://${LOOPBACK}:${port}` };
  let called = false;
  const outcome = await runCluster(p, io([]), {
    launcher: async () => ((called = true), report('finished', [])),
  });
  assert.equal(called, false);
  assert.equal(outcome.exitCode, EXIT_CODES.labFailure);
  assert.match(outcome.summary!.verdict.reasons[0]!, /not ready; reach the lab's with kubectl -n perflab-monitoring port-forward svc\/monitoring-kube-prometheus-prometheus 9090/);
});

test('Ctrl-C during the launch is an interrupted, partial run (stand-in API)', async () => {
  const p = plan();
  const controller = new AbortController();
  const launcher: ClusterLauncher = async (_objects, { signal }) => {
    controller.abort();
    assert.equal(signal.aborted, true);
    throw new Error('TestRun deleted');
  };
  const outcome = await runCluster(p, io([], controller.signal), { launcher });
  assert.equal(outcome.exitCode, EXIT_CODES.interrupted);
  assert.equal(outcome.summary!.partial, true);
});

test('the reason a TestRun ended early (timeout with its kubectl hint, stage error) reaches the summary and report (stand-in API)', async () => {
  const p = plan();
  const hint = 'the runners had not started after 602 s (stage initialization): see kubectl -n perflab-load get pods -l k6_cr=soak-x';
  const outcome = await runCluster(p, io([]), { launcher: async () => report('timeout', [null], hint) });
  assert.equal(outcome.exitCode, EXIT_CODES.labFailure);
  assert.ok(outcome.summary.verdict.reasons.includes(`cluster: ${hint}`), outcome.summary.verdict.reasons.join('\n'));
  assert.ok(readFileSync(join(outcome.resultsDir, 'report.md'), 'utf8').includes(hint), 'the hint is in report.md');
  const errored = await runCluster(plan(), io([]), { launcher: async () => report('error', [], 'the TestRun ended in stage error: see kubectl -n perflab-load describe testrun soak-x') });
  assert.match(errored.summary.verdict.reasons.join('\n'), /cluster: the TestRun ended in stage error: see kubectl/);
});

/** A kubeconfig with two contexts, each on its own (dead) loopback port; `current` is current. */
async function twoContextKubeconfig(current: string): Promise<{ file: string; ports: Record<string, number> }> {
  const ports = { nowhere: await freePort(), elsewhere: await freePort() };
  const file = join(dir, `kubeconfig-${current}`);
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', `current-context: ${current}`,
    'clusters:',
    ...Object.entries(ports).map(([name, port]) => `  - { name: ${name}, cluster: { server: 'https://${LOOPBACK}:${port}', insecure-skip-tls-verify: true } }`),
    'contexts:',
    ...Object.keys(ports).map((name) => `  - { name: ${name}, context: { cluster: ${name}, user: nobody } }`),
    'users: [{ name: nobody, user: { token: not-a-secret } }]', '',
  ].join('\n'));
  return { file, ports };
}

test('without a stand-in, the real launcher is wired in: no API server answering is a lab failure that says so', async () => {
  const { file, ports } = await twoContextKubeconfig('nowhere');
  const config = loadLabConfig();
  const p = plan();
  const outcome = await runCluster(p, io([]), { config: { ...config, cluster: { ...config.cluster, kubeconfig: file, context: 'nowhere' } } });
  assert.equal(outcome.exitCode, EXIT_CODES.labFailure);
  const reason = outcome.summary!.verdict.reasons.join('\n');
  assert.match(reason, new RegExp(`cluster: .*${LOOPBACK}:${ports.nowhere}`));
  assert.doesNotMatch(reason, /^\s+at /m, 'a stack trace instead of a message');
});

test('the run goes to the lab config\'s context, not the kubeconfig\'s current one; an unknown context is named', async () => {
  const { file, ports } = await twoContextKubeconfig('elsewhere');
  const config = loadLabConfig();
  const withContext = (context: string) => ({ ...config, cluster: { ...config.cluster, kubeconfig: file, context } });
  const outcome = await runCluster(plan(), io([]), { config: withContext('nowhere') });
  const reason = outcome.summary.verdict.reasons.join('\n');
  assert.match(reason, new RegExp(`${LOOPBACK}:${ports.nowhere}\\b`));
  assert.doesNotMatch(reason, new RegExp(`${LOOPBACK}:${ports.elsewhere}\\b`));
  const unknown = await runCluster(plan(), io([]), { config: withContext('perflab-typo') });
  assert.match(unknown.summary.verdict.reasons.join('\n'), /cluster\.context "perflab-typo" is not in .*kubeconfig-elsewhere \(contexts: nowhere, elsewhere\)/);
});

test('the target Service name follows the chart\'s fullname helper', () => {
  const config = loadLabConfig();
  assert.equal(clusterTargetService({ ...config, target: { ...config.target, releaseName: 'perf' } }), 'perf-target-api');
  assert.equal(clusterTargetService({ ...config, target: { ...config.target, releaseName: 'my-target-api' } }), 'my-target-api');
});

test('runners share the lab\'s one load node (no separate: a second separate runner would stay Pending), and must fit it (F7)', () => {
  const config = loadLabConfig();
  assert.equal(separateRunners(config, 1), false);
  assert.equal(separateRunners(config, 2), false, 'one load node: runners side by side');
  const objects = clusterRunObjects(plan(['--parallelism', '4']), prepared, config);
  assert.equal(objects.testRun.spec.separate, false);
  assert.equal(objects.testRun.spec.parallelism, 4);
  // 40 runners of 500m do not fit an 8-CPU load node: refused before anything is applied
  assert.throws(() => clusterRunObjects({ ...plan(), parallelism: 40 }, { ...prepared, maxVUs: 100 }, config),
    (e: Error) => e instanceof UsageError && /--parallelism: .*k6 runners/.test(e.message));
});

test('while the TestRun initializes, the progress line says what the runners wait for and how long, not a clock (stand-in API)', async () => {
  const p = plan();
  const ctx = { plan: p, prepared, resultsDir: runResultsDir(p.resultsRoot, p.runId), io: io([]) };
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const seen: Array<string | undefined> = [];
  const target = clusterTarget(ctx, {
    launcher: async (_objects, { onStage }) => {
      seen.push(target.waiting!());
      onStage!('initialization');
      seen.push(target.waiting!());
      await gate;
      onStage!('started');
      seen.push(target.waiting!());
      return report('finished', [0]);
    },
  });
  const lab = await target.reachLab();
  const written: string[] = [];
  const progress = startProgress({
    client: new PrometheusClient(promUrl), selector: 'testid="none"', startMs: Date.now(), totalMs: 60_000, tty: false,
    write: (t) => written.push(t), waiting: () => target.waiting!(), intervalMs: 20, plainEveryMs: 0,
  });
  const running = target.runRunners(lab, new AbortController().signal);
  while (!written.some((l) => /waiting for runners: stage initialization, \d+ s/.test(l))) await new Promise((r) => setTimeout(r, 10));
  release();
  await running;
  progress.stop();
  assert.deepEqual(seen, ['applying the TestRun', 'stage initialization', undefined]);
  assert.ok(written.every((l) => !/left/.test(l) || !/waiting/.test(l)), written.join(''));
});
