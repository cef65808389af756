// The sim profile's kept cluster, for real: started by one process that then exits (as lab:up
// does) and still running afterwards, reused by the next ensure, refused with a reason when the
// config asks for other nodes or when part of it died, stopped through its pid file with nothing
// left behind. The states that need no cluster (stopped, a start that never finished, a foreign
// kubeconfig) are checked on files alone.
//
// Wall time on 2 cores, binaries built: ~20 s (one cluster start ~9 s in the child process, an
// aborted one ~5 s).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { resolveLabConfig } from '../config/index.ts';
import type { LabConfig } from '../config/types.ts';
import { POOL_LABEL } from '../cluster/pools.ts';
import { isRunning, PID_FILE } from '../process/supervisor.ts';
import { ensureSimBinaries } from '../setup/controlPlane.ts';
import { CONTROL_PLANE_ROLE, ensureSimCluster, SimClusterError, simClusterNodes, simClusterStatus, simLabDir, simStateDir, stopSimCluster } from './labSimCluster.ts';

const simConfig = (root: string, overrides: Record<string, unknown> = {}): LabConfig =>
  resolveLabConfig({ profile: 'sim', overrides: { cluster: { kubeconfig: join(root, '.lab', 'sim', 'kubeconfig') }, ...overrides } });

test('the sim cluster\'s nodes: a tainted control plane and one worker per pool, sized by cluster.nodes', () => {
  const config = resolveLabConfig({ profile: 'sim', overrides: { cluster: { name: 'lab', nodes: { load: { cpu: '2', memory: '4Gi', pods: 30 } } } } });
  const nodes = simClusterNodes(config);
  assert.deepEqual(nodes.map((n) => n.name), ['lab-control-plane', 'lab-data', 'lab-app', 'lab-load', 'lab-monitoring']);
  assert.deepEqual(nodes[0]!.taints, [{ key: CONTROL_PLANE_ROLE, effect: 'NoSchedule' }]);
  assert.deepEqual(nodes[0]!.capacity, { cpu: '8', memory: '16Gi', pods: '110' });
  const load = nodes.find((n) => n.name === 'lab-load')!;
  assert.equal(load.labels[POOL_LABEL], 'load');
  assert.deepEqual(load.capacity, { cpu: '2', memory: '4Gi', pods: '30' });
  assert.equal(load.taints, undefined);
});

test('states on files alone: nothing, a start that never finished, a recorded cluster that stopped, a foreign kubeconfig', async () => {
  const root = mkdtempSync(join(tmpdir(), 'perflab-simstate-'));
  const config = simConfig(root);
  assert.deepEqual(simClusterStatus(root), { state: 'none' });
  assert.deepEqual(await stopSimCluster(root), { stopped: [], removed: [] });

  // a start killed before it was ready: a state folder, no record
  mkdirSync(simStateDir(root), { recursive: true });
  writeFileSync(join(simStateDir(root), PID_FILE), '[]');
  assert.deepEqual(simClusterStatus(root), { state: 'unfinished', running: [] });
  const lines: string[] = [];
  assert.equal((await ensureSimCluster(config, { root, log: (l) => lines.push(l), dryRun: true })).replaced, 'unfinished');
  assert.match(lines.join('\n'), /would remove the unfinished simulated cluster in \.lab\/sim\nwould start a simulated cluster: perflab-control-plane \(8 CPU \/ 16Gi\), perflab-data/);

  // recorded, its processes gone (a pid that no longer runs): stopped, replaced by the next up
  const record = { kubeconfig: config.cluster.kubeconfig, context: 'perflab-sim', server: 'https://127.0.0.1:1', nodes: simClusterNodes(config), startedAt: 'then' };
  writeFileSync(join(simLabDir(root), 'cluster.json'), JSON.stringify(record));
  writeFileSync(join(simStateDir(root), PID_FILE), JSON.stringify([{ name: 'etcd', pid: 2 ** 22 + 1, startTime: '1', stopSignal: 'SIGTERM' }]));
  writeFileSync(config.cluster.kubeconfig, 'apiVersion: v1\nkind: Config\n');
  assert.equal(simClusterStatus(root).state, 'stopped');
  assert.equal((await ensureSimCluster(config, { root, log: () => {}, dryRun: true })).replaced, 'stopped', 'its own kubeconfig is no obstacle');
  const down = await stopSimCluster(root);
  assert.deepEqual(down, { stopped: [], removed: [simStateDir(root), config.cluster.kubeconfig] });
  assert.equal(existsSync(simLabDir(root)), false, '.lab/sim goes when empty');

  // a kubeconfig lab:up did not write is never replaced
  mkdirSync(join(root, '.lab', 'sim'), { recursive: true });
  writeFileSync(config.cluster.kubeconfig, 'a user\'s own\n');
  await assert.rejects(ensureSimCluster(config, { root, log: () => {} }), (error: Error) => {
    assert.ok(error instanceof SimClusterError);
    assert.match(error.message, /cluster\.kubeconfig .*\/\.lab\/sim\/kubeconfig exists and no simulated cluster lab:up started wrote it/);
    return true;
  });
  assert.equal(readFileSync(config.cluster.kubeconfig, 'utf8'), 'a user\'s own\n');
  rmSync(root, { recursive: true, force: true });
});

describeWithCluster();

function describeWithCluster(): void {
  const root = mkdtempSync(join(tmpdir(), 'perflab-simkept-'));
  const config = simConfig(root, { cluster: { kubeconfig: join(root, 'kube', 'sim.yaml'), context: 'my-sim', name: 'kept' } });
  // the child process finds the binaries the same way: build them here first (minutes, once)
  before(async () => {
    await ensureSimBinaries((line) => console.log(line));
  }, { timeout: 40 * 60_000 });

  after(async () => {
    await stopSimCluster(root);
    rmSync(root, { recursive: true, force: true });
  });

  test('started by a process that exits, as lab:up does: still running afterwards, with a kubeconfig for the config\'s context', { timeout: 120_000 }, async () => {
    // the child is lab:up's part: ensure, then end (its event loop must not wait for the cluster)
    const script = `
      import { ensureSimCluster } from ${JSON.stringify(new URL('./labSimCluster.ts', import.meta.url).pathname)};
      const config = JSON.parse(process.env.CONFIG);
      const result = await ensureSimCluster(config, { root: process.env.ROOT, log: (l) => console.log(l) });
      console.log('RESULT ' + result.action);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, CONFIG: JSON.stringify(config), ROOT: root }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /RESULT started/);
    assert.match(out, /the cluster keeps running after lab:up/);

    const status = simClusterStatus(root);
    assert.equal(status.state, 'running', JSON.stringify(status));
    const pids = (JSON.parse(readFileSync(join(simStateDir(root), PID_FILE), 'utf8')) as Array<{ pid: number }>).map((p) => p.pid);
    assert.equal(pids.length, 5);
    assert.ok(pids.every(isRunning), 'the cluster outlived the process that started it');

    assert.equal(statSync(config.cluster.kubeconfig).mode & 0o777, 0o600);
    const kc = new KubeConfig();
    kc.loadFromFile(config.cluster.kubeconfig);
    assert.equal(kc.getCurrentContext(), 'my-sim');
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items.map((n) => n.metadata?.name).sort();
    assert.deepEqual(nodes, ['kept-app', 'kept-control-plane', 'kept-data', 'kept-load', 'kept-monitoring']);
  });

  test('the next ensure reuses it; other nodes or another kubeconfig are refused with what to do', async () => {
    const before = readFileSync(join(simStateDir(root), PID_FILE), 'utf8');
    rmSync(config.cluster.kubeconfig);
    const lines: string[] = [];
    const again = await ensureSimCluster(config, { root, log: (l) => lines.push(l) });
    assert.equal(again.action, 'reused');
    assert.equal(readFileSync(join(simStateDir(root), PID_FILE), 'utf8'), before, 'the same processes');
    assert.ok(existsSync(config.cluster.kubeconfig), 'a removed kubeconfig is written again');
    assert.match(lines.join('\n'), /running since .* reusing it/);

    const bigger = simConfig(root, { cluster: { kubeconfig: config.cluster.kubeconfig, context: 'my-sim', name: 'kept', nodes: { data: { cpu: '16', memory: '16Gi', pods: 110 } } } });
    await assert.rejects(ensureSimCluster(bigger, { root, log: () => {} }), /has the nodes .*kept-data \(8 CPU \/ 16Gi\).*asks for .*kept-data \(16 CPU \/ 16Gi\)[\s\S]*npm run lab:down -- --profile sim/);
    const elsewhere = simConfig(root, { cluster: { name: 'kept', context: 'my-sim' } });
    await assert.rejects(ensureSimCluster(elsewhere, { root, log: () => {} }), /kubeconfig is .*kube\/sim\.yaml \(context my-sim\); the lab config says .*\.lab\/sim\/kubeconfig/);
  });

  test('part of it dead: refused, naming what died; stop() stops the rest and removes everything, twice is fine', async () => {
    const records = JSON.parse(readFileSync(join(simStateDir(root), PID_FILE), 'utf8')) as Array<{ name: string; pid: number }>;
    const kwok = records.find((r) => r.name === 'kwok')!;
    process.kill(-kwok.pid, 'SIGKILL');
    for (let i = 0; i < 100 && isRunning(kwok.pid); i++) await new Promise((r) => setTimeout(r, 20));
    const status = simClusterStatus(root);
    assert.equal(status.state, 'broken');
    await assert.rejects(ensureSimCluster(config, { root, log: () => {} }), /is not whole: kwok not running \(etcd, kube-apiserver, kube-controller-manager, kube-scheduler still running[\s\S]*lab:down/);

    const { stopped, removed } = await stopSimCluster(root);
    assert.deepEqual(stopped.sort(), ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    assert.deepEqual(removed, [simStateDir(root), config.cluster.kubeconfig]);
    assert.deepEqual(records.filter((r) => isRunning(r.pid)), []);
    assert.equal(existsSync(simLabDir(root)), false);
    assert.deepEqual(simClusterStatus(root), { state: 'none' });
    assert.deepEqual(await stopSimCluster(root), { stopped: [], removed: [] });
  });

  test('Ctrl-C during lab:up\'s start: what started is stopped, nothing of .lab/sim is left', async () => {
    const abort = new AbortController();
    let pids: number[] = [];
    const start = ensureSimCluster(config, {
      root, signal: abort.signal,
      log: (line) => {
        if (!line.includes('kube-apiserver ready')) return;
        pids = (JSON.parse(readFileSync(join(simStateDir(root), PID_FILE), 'utf8')) as Array<{ pid: number }>).map((p) => p.pid);
        abort.abort();
      },
    });
    await assert.rejects(start, /aborted/);
    assert.equal(pids.length, 2);
    assert.deepEqual(pids.filter(isRunning), []);
    assert.equal(existsSync(simLabDir(root)), false);
    assert.equal(existsSync(config.cluster.kubeconfig), false);
  });
}
