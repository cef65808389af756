// The cluster path up to the launcher boundary (no cluster exists on this machine): the objects
// handed to the launcher, the runners' exit codes it returns carried into the verdict, and the
// failures a user meets (Prometheus not reachable, cluster unreachable), with a stand-in launcher
// and a real Prometheus.

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
import { runCluster, type ClusterLauncher } from './runCluster.ts';
import { runResultsDir } from '../results/resultsFolder.ts';
import type { RunIo } from './io.ts';
import { loadLabConfig } from '../config/index.ts';
import { clusterTargetSelector, clusterTargetService } from './clusterHints.ts';

let dir: string;
let supervisor: Supervisor;
let promUrl: string;
let prepared: PreparedScenario;

const io = (lines: string[], signal = new AbortController().signal): RunIo => ({ log: (l) => lines.push(l), write: () => {}, tty: false, signal });
const plan = (extra: string[] = []) => planRun(parseRunFlags(['--target', 'cluster', '--prometheus-url', promUrl, '--vus', '4',
  '--duration', '10s', '--results-dir', join(dir, 'results'), ...extra], 'run-soak'), 'run-soak');

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
    return { stage: 'finished', runners: [{ instance: 1, exitCode: 0 }, { instance: 2, exitCode: 99 }] };
  };
  const lines: string[] = [];
  const outcome = await runCluster(p, prepared, runResultsDir(p.resultsRoot, p.runId), io(lines), { launcher });
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
  assert.match(summary.verdict.reasons.join('\n'), /runner 2 failed its k6 thresholds \(exit 99\)/);
});

test('an unreachable cluster is a lab failure whose reason is the launcher\'s message (stand-in API)', async () => {
  const p = plan();
  const launcher: ClusterLauncher = async () => {
    throw new Error('cannot reach the cluster at https://127.0.0.1:6443: connect ECONNREFUSED');
  };
  const outcome = await runCluster(p, prepared, runResultsDir(p.resultsRoot, p.runId), io([]), { launcher });
  assert.equal(outcome.exitCode, EXIT_CODES.labFailure);
  assert.match(outcome.summary!.verdict.reasons.join('\n'), /cluster: cannot reach the cluster at https:\/\/127\.0\.0\.1:6443/);
});

test('a Prometheus that is not reachable stops the run before the launcher, naming the port-forward (stand-in API)', async () => {
  const port = await freePort();
  const p = { ...plan(), prometheusUrl: `http://${LOOPBACK}:${port}` };
  let called = false;
  const outcome = await runCluster(p, prepared, runResultsDir(p.resultsRoot, p.runId), io([]), {
    launcher: async () => ((called = true), { stage: 'finished', runners: [] }),
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
  const outcome = await runCluster(p, prepared, runResultsDir(p.resultsRoot, p.runId), io([], controller.signal), { launcher });
  assert.equal(outcome.exitCode, EXIT_CODES.interrupted);
  assert.equal(outcome.summary!.partial, true);
});

test('without a stand-in, the real launcher is wired in: no API server answering is a lab failure that says so', async () => {
  const apiPort = await freePort();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: nowhere',
    `clusters: [{ name: nowhere, cluster: { server: 'https://${LOOPBACK}:${apiPort}', insecure-skip-tls-verify: true } }]`,
    'contexts: [{ name: nowhere, context: { cluster: nowhere, user: nobody } }]',
    'users: [{ name: nobody, user: { token: not-a-secret } }]', '',
  ].join('\n'));
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kubeconfig;
  try {
    const p = plan();
    const outcome = await runCluster(p, prepared, runResultsDir(p.resultsRoot, p.runId), io([]));
    assert.equal(outcome.exitCode, EXIT_CODES.labFailure);
    const reason = outcome.summary!.verdict.reasons.join('\n');
    assert.match(reason, new RegExp(`cluster: .*${LOOPBACK}:${apiPort}`));
    assert.doesNotMatch(reason, /^\s+at /m, 'a stack trace instead of a message');
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
});

test('the target Service name follows the chart\'s fullname helper', () => {
  const config = loadLabConfig();
  assert.equal(clusterTargetService({ ...config, target: { ...config.target, releaseName: 'perf' } }), 'perf-target-api');
  assert.equal(clusterTargetService({ ...config, target: { ...config.target, releaseName: 'my-target-api' } }), 'my-target-api');
});
