// The launcher against a minimal stand-in of the Kubernetes API (no cluster exists on this
// machine): a real HTTP server answering the few calls the launcher makes (discovery,
// server-side apply, read, list by label, delete), with TestRun stages and runner exit codes
// scripted per test. Every test name says "(stand-in API)" where it uses it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { buildRunObjects } from '../../k6-operator/testrun.ts';
import { launchTestRun, LauncherError, type TestRunStage } from './launcher.ts';


interface Script {
  crd?: boolean;
  /** status.stage answered on successive reads (the last one repeats). */
  stages: TestRunStage[];
  /** exit code of runner i+1 once the stage is finished/error. */
  exitCodes: number[];
  /** runners whose pod the operator never created (or that were cleaned up). */
  missingPods?: number[];
}

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };

class StandInApi {
  server: Server;
  requests: Recorded[] = [];
  store = new Map<string, Obj>(); // "<plural>/<name>"
  reads = 0;
  constructor(readonly script: Script) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const [status, answer] = this.handle(req, body);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
  }
  async listen(): Promise<KubeConfig> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return kubeConfigFor(`http://127.0.0.1:${port}`);
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
  stage(): TestRunStage {
    return this.script.stages[Math.min(this.reads, this.script.stages.length - 1)]!;
  }
  applied(plural: string) {
    return this.requests.filter((r) => r.method === 'PATCH' && r.path.includes(`/${plural}/`));
  }
  deleted() {
    return this.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').slice(-2).join('/'));
  }
  private handle(req: IncomingMessage, body: string): [number, unknown] {
    const url = new URL(req.url!, 'http://x');
    this.requests.push({ method: req.method!, path: url.pathname, query: url.searchParams, contentType: req.headers['content-type'] });
    const notFound: [number, unknown] = [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${url.pathname} not found` }];
    const discovery: Record<string, Array<{ name: string; kind: string }>> = {
      '/api/v1': [{ name: 'configmaps', kind: 'ConfigMap' }, { name: 'pods', kind: 'Pod' }],
      '/apis/batch/v1': [{ name: 'jobs', kind: 'Job' }],
      ...(this.script.crd === false ? {} : { '/apis/k6.io/v1alpha1': [{ name: 'testruns', kind: 'TestRun' }] }),
    };
    if (req.method === 'GET' && discovery[url.pathname]) {
      const groupVersion = url.pathname.replace(/^\/apis?\//, '');
      return [200, { kind: 'APIResourceList', groupVersion, resources: discovery[url.pathname]!.map((r) => ({ ...r, namespaced: true, singularName: '', verbs: [] })) }];
    }
    const m = /^\/apis?\/(?:[^/]+\/)?v1(?:alpha1)?\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return notFound;
    const [, namespace, plural, name] = m as unknown as [string, string, string, string | undefined];
    const key = `${plural}/${name}`;
    if (req.method === 'PATCH' && name) {
      const obj = JSON.parse(body) as Obj;
      this.store.set(key, obj);
      if (plural === 'testruns') this.createRunnerObjects(obj, namespace);
      return [200, obj];
    }
    if (req.method === 'GET' && name) {
      const obj = this.store.get(key);
      if (!obj) return notFound;
      if (plural !== 'testruns') return [200, obj];
      const stage = this.stage();
      this.reads++;
      return [200, { ...obj, status: { stage } }];
    }
    if (req.method === 'GET' && !name) {
      const wanted = Object.fromEntries((url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean).map((kv) => kv.split('=')));
      const items = [...this.store.entries()]
        .filter(([k, o]) => k.startsWith(`${plural}/`) && Object.entries(wanted).every(([lk, lv]) => o.metadata.labels?.[lk] === lv))
        .map(([, o]) => (plural === 'pods' ? this.withPodStatus(o) : o));
      return [200, { kind: 'List', apiVersion: 'v1', metadata: {}, items }];
    }
    if (req.method === 'DELETE' && name) {
      if (!this.store.delete(key)) return notFound;
      return [200, { kind: 'Status', status: 'Success' }];
    }
    return notFound;
  }
  /** what the operator would create: a job + pod per runner, and a starter job + pod. */
  private createRunnerObjects(testRun: Obj, namespace: string) {
    const name = testRun.metadata.name;
    const parallelism = (testRun.spec as { parallelism: number }).parallelism;
    const base = { app: 'k6', k6_cr: name };
    for (let i = 1; i <= parallelism; i++) {
      const labels = { ...base, runner: 'true', 'job-name': `${name}-${i}` };
      this.store.set(`jobs/${name}-${i}`, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `${name}-${i}`, namespace, labels } });
      if (!this.script.missingPods?.includes(i)) this.store.set(`pods/${name}-${i}-x7k2p`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-${i}-x7k2p`, namespace, labels } });
    }
    this.store.set(`jobs/${name}-starter`, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `${name}-starter`, namespace, labels: base } });
    this.store.set(`pods/${name}-starter-q1w2e`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-starter-q1w2e`, namespace, labels: base } });
  }
  private withPodStatus(pod: Obj): Obj {
    const done = this.stage() === 'finished' || this.stage() === 'error';
    const index = Number(/-(\d+)$/.exec(pod.metadata.labels?.['job-name'] ?? '')?.[1] ?? 0);
    const exitCode = this.script.exitCodes[index - 1];
    const state = done && exitCode !== undefined ? { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } } : { running: {} };
    return { ...pod, status: { phase: done ? (exitCode === 0 ? 'Succeeded' : 'Failed') : 'Running', containerStatuses: [{ name: 'k6', state }] } };
  }
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stand-in', server, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'stand-in-token' }],
    contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'tester' }],
    currentContext: 'stand-in',
  });
  return kc;
}

function objects(parallelism = 3) {
  return buildRunObjects({
    runId: 'r1',
    scenario: 'load',
    namespace: 'load',
    parallelism,
    remoteWriteUrl: 'http://prometheus:9090/api/v1/write',
    baseUrl: 'http://target:8080',
    profile: 'smoke',
    scriptText: 'export default function () {}\n',
  });
}

async function withStandIn(script: Script, fn: (api: StandInApi, kc: KubeConfig) => Promise<void>) {
  const api = new StandInApi(script);
  const kc = await api.listen();
  try {
    await fn(api, kc);
  } finally {
    await api.close();
  }
}

const FOLLOW = { timeoutMs: 10_000, pollIntervalMs: 5 };

test('applies ConfigMap and TestRun by server-side apply, follows the stages to finished, all runners pass (stand-in API)', async () => {
  await withStandIn({ stages: ['initialization', 'initialized', 'created', 'started', 'finished'], exitCodes: [0, 0, 0] }, async (api, kc) => {
    const lines: string[] = [];
    const result = await launchTestRun(objects(3), { kubeConfig: kc, ...FOLLOW, log: (l) => lines.push(l) });
    for (const plural of ['configmaps', 'testruns']) {
      const [apply] = api.applied(plural);
      assert.ok(apply, `${plural} applied`);
      assert.equal(apply.contentType, 'application/apply-patch+yaml');
      assert.equal(apply.query.get('fieldManager'), 'perflab');
      assert.equal(apply.query.get('force'), 'true');
    }
    assert.equal(api.requests.findIndex((r) => r.path.includes('/configmaps/')) < api.requests.findIndex((r) => r.path.includes('/testruns/')), true, 'script before TestRun');
    assert.equal(result.stage, 'finished');
    assert.equal(result.ended, 'finished');
    assert.equal(result.reason, undefined);
    assert.deepEqual(result.runners.map((r) => [r.instance, r.exitCode, r.detail]), [[1, 0, undefined], [2, 0, undefined], [3, 0, undefined]]);
    assert.deepEqual(lines.filter((l) => l.startsWith('stage')).map((l) => l.split(' ')[1]), ['initialization', 'initialized', 'created', 'started', 'finished']);
    assert.deepEqual(api.deleted(), [], 'kept by default');
  });
});

test('every runner\'s own exit code is reported as it is, whatever it means (stand-in API)', async () => {
  await withStandIn({ stages: ['started', 'finished'], exitCodes: [0, 99, 107] }, async (_api, kc) => {
    const result = await launchTestRun(objects(3), { kubeConfig: kc, ...FOLLOW });
    assert.equal(result.ended, 'finished');
    assert.deepEqual(result.runners.map((r) => [r.instance, r.exitCode]), [[1, 0], [2, 99], [3, 107]]);
  });
});

test('a runner without a pod still counts, with no exit code and the reason (stand-in API)', async () => {
  await withStandIn({ stages: ['started', 'finished'], exitCodes: [0, 0, 0], missingPods: [2] }, async (_api, kc) => {
    const result = await launchTestRun(objects(3), { kubeConfig: kc, ...FOLLOW });
    assert.deepEqual(result.runners.map((r) => [r.instance, r.exitCode]), [[1, 0], [2, null], [3, 0]]);
    assert.equal(result.runners[1]!.detail, 'no runner pod found');
  });
});

test('stage error ends the follow with a reason naming what to look at (stand-in API)', async () => {
  await withStandIn({ stages: ['initialization', 'error'], exitCodes: [] }, async (_api, kc) => {
    const result = await launchTestRun(objects(2), { kubeConfig: kc, ...FOLLOW });
    assert.equal(result.ended, 'error');
    assert.equal(result.stage, 'error');
    assert.match(result.reason ?? '', /the TestRun ended in stage error: see kubectl -n load describe testrun load-r1/);
  });
});

test('Ctrl-C (abort signal) deletes the TestRun, its jobs, pods and ConfigMap (stand-in API)', async () => {
  await withStandIn({ stages: ['started'], exitCodes: [0, 0] }, async (api, kc) => {
    const controller = new AbortController();
    const pending = launchTestRun(objects(2), { kubeConfig: kc, timeoutMs: 60_000, pollIntervalMs: 20, signal: controller.signal });
    while (api.reads < 3) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const result = await pending;
    assert.equal(result.ended, 'aborted');
    assert.equal(result.reason, 'aborted (Ctrl-C)');
    assert.deepEqual(new Set(api.deleted()), new Set([
      'testruns/load-r1', 'jobs/load-r1-1', 'jobs/load-r1-2', 'jobs/load-r1-starter',
      'pods/load-r1-1-x7k2p', 'pods/load-r1-2-x7k2p', 'pods/load-r1-starter-q1w2e', 'configmaps/load-r1',
    ]));
    assert.equal(api.store.size, 0, 'nothing of the run is left');
  });
});

test('a run that never finishes times out and is deleted (stand-in API)', async () => {
  await withStandIn({ stages: ['started'], exitCodes: [0] }, async (api, kc) => {
    const result = await launchTestRun(objects(1), { kubeConfig: kc, timeoutMs: 150, pollIntervalMs: 20 });
    assert.equal(result.ended, 'timeout');
    assert.match(result.reason ?? '', /did not end within 150 ms \(last stage started\)/);
    assert.ok(api.deleted().includes('testruns/load-r1'));
    assert.ok(result.durationMs >= 150);
  });
});

test('runners that never start (stuck in initialization) time out early with a hint, and are deleted (stand-in API)', async () => {
  await withStandIn({ stages: ['initialization'], exitCodes: [0] }, async (api, kc) => {
    const result = await launchTestRun(objects(1), { kubeConfig: kc, timeoutMs: 60_000, startTimeoutMs: 100, pollIntervalMs: 20 });
    assert.equal(result.ended, 'timeout');
    assert.match(result.reason ?? '', /runners had not started after \d+ s \(stage initialization\): see kubectl -n load get pods -l k6_cr=load-r1/);
    assert.ok(api.deleted().includes('testruns/load-r1'));
    assert.ok(result.durationMs < 5_000);
  });
});

test('a cluster without the k6-operator CRD is a clear error, and nothing is applied (stand-in API)', async () => {
  await withStandIn({ crd: false, stages: ['finished'], exitCodes: [] }, async (api, kc) => {
    await assert.rejects(launchTestRun(objects(1), { kubeConfig: kc, ...FOLLOW }), (error: unknown) => {
      assert.ok(error instanceof LauncherError);
      assert.match(error.message, /has no TestRun CRD \(testruns\.k6\.io\/v1alpha1\): install the k6-operator/);
      assert.doesNotMatch(error.message, /\n\s+at /);
      return true;
    });
    assert.deepEqual(api.applied('configmaps'), []);
  });
});

test('an unreachable API server is a clear error naming the server', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve())); // nothing listens there now
  await assert.rejects(launchTestRun(objects(1), { kubeConfig: kubeConfigFor(`http://127.0.0.1:${port}`), ...FOLLOW }), (error: unknown) => {
    assert.ok(error instanceof LauncherError, String(error));
    assert.match(error.message, new RegExp(`cannot reach the Kubernetes API at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`));
    return true;
  });
});
