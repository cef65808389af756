// Test support for the tests that run against a real API server: a sim cluster (lab/sim: etcd,
// kube-apiserver, controller-manager, scheduler, kwok nodes on loopback) whose workers are a lab
// config's nodes, kubectl and helm pointed at it, CRDs installed, and waits that say what they
// last saw. One cluster per test file, shared by its tests, stopped in its after().

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import YAML from 'yaml';
import type { LabConfig } from '../../lab/config/types.ts';
import { waitUntil } from '../../lab/process/waitUntil.ts';
import { ensureSimBinaries } from '../../lab/setup/controlPlane.ts';
import { ensureHelm } from '../../lab/setup/helm.ts';
import { simClusterNodes } from '../../lab/sim/labSimCluster.ts';
import { startSimCluster, type SimCluster, type SimNode } from '../../lab/sim/simCluster.ts';

export interface LabSim {
  cluster: SimCluster;
  kc: KubeConfig;
  core: CoreV1Api;
  /** a scratch folder of this test file, removed by stop() */
  dir: string;
  /** kubectl v1.36 against the cluster; `input` goes to stdin. */
  kubectl(args: string[], input?: string): SpawnSyncReturns<string>;
  /** helm against the cluster, with its own config and cache folders. */
  helm(args: string[]): SpawnSyncReturns<string>;
  /** kubectl, failing with its stderr unless it succeeds; returns stdout. */
  must(args: string[], input?: string): string;
  stop(): Promise<void>;
}

/**
 * Starts a sim cluster with the config's nodes (simClusterNodes: a tainted control plane and one
 * worker per pool, as lab:up --profile sim starts them); the binaries are built first if missing
 * (minutes, once).
 */
export async function startLabSim(config: LabConfig, name: string, nodes: SimNode[] = simClusterNodes(config)): Promise<LabSim> {
  const binaries = await ensureSimBinaries((line) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), `perflab-${name}-`));
  const started = Date.now();
  const cluster = await startSimCluster({ stateDir: join(dir, 'cluster'), nodes, binaries });
  console.log(`${name}: sim cluster of ${nodes.length} nodes ready in ${Date.now() - started} ms`);
  const kc = cluster.kubeConfig();
  const helmBinary = ensureHelm();
  const helmHome = join(dir, 'helm');
  mkdirSync(helmHome, { recursive: true });
  const kubectl = (args: string[], input?: string) =>
    spawnSync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfigPath, '--context', cluster.context, ...args], { encoding: 'utf8', input });
  return {
    cluster,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    dir,
    kubectl,
    helm: (args) => spawnSync(helmBinary, [...args, '--kubeconfig', cluster.kubeconfigPath, '--kube-context', cluster.context], {
      encoding: 'utf8',
      env: { ...process.env, HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_DATA_HOME: join(helmHome, 'data') },
    }),
    must(args, input) {
      const out = kubectl(args, input);
      if (out.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${out.status}): ${out.stderr}`);
      return out.stdout;
    },
    async stop() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Installs CRDs from files (server-side apply) and waits until each is Established (its kind served). */
export async function installCrds(sim: LabSim, files: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const file of files) {
    const out = sim.must(['apply', '--server-side', '--field-manager=perflab-test', '-f', file, '-o', 'name']);
    names.push(...out.trim().split('\n'));
  }
  // (kubectl wait fails outright on a CRD whose status has no conditions yet: poll instead)
  await eventually(`${names.join(', ')} Established`, async () => {
    type Crd = { metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } };
    // one name: the object itself; more: a List
    const got = JSON.parse(sim.must(['get', ...names, '-o', 'json'])) as Crd & { items?: Crd[] };
    const waiting = (got.items ?? [got]).filter((c) => c.status?.conditions?.find((x) => x.type === 'Established')?.status !== 'True').map((c) => c.metadata.name);
    return { value: waiting.length === 0 || undefined, saw: `not Established yet: ${waiting.join(', ')}` };
  });
  // and their objects can be listed: for a moment after that the API server answers 429 ("storage is
  // (re)initializing") while it builds the new resource's cache
  await eventually(`${names.join(', ')} listable`, async () => {
    const failing = names.map((n) => n.split('/')[1]!).map((resource) => sim.kubectl(['get', resource, '-A'])).filter((r) => r.status !== 0);
    return { value: failing.length === 0 || undefined, saw: failing.map((r) => r.stderr.trim()).join('; ') };
  });
  return names;
}

/** Writes objects as one multi-document YAML file in the scratch folder and returns its path. */
export function writeObjects(sim: LabSim, file: string, objects: readonly object[]): string {
  const path = join(sim.dir, file);
  writeFileSync(path, objects.map((o) => YAML.stringify(o, { lineWidth: 0 })).join('---\n'));
  return path;
}

/** Polls `check` until it returns a value; a timeout names what it last saw. */
export async function eventually<T>(what: string, check: () => Promise<{ value?: T; saw: string }>, timeoutMs = 60_000): Promise<T> {
  let saw = '';
  return waitUntil(what, [], async () => {
    const result = await check();
    saw = result.saw;
    return result.value ?? undefined;
  }, { timeoutMs, maxIntervalMs: 200, lastProblem: () => saw });
}

/** One line per pod: name, phase, node, and why it is not scheduled if it is not. */
export function describePods(pods: readonly V1Pod[]): string {
  return pods.map((p) => {
    const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const why = scheduled?.status === 'False' ? ` (${scheduled.reason}: ${scheduled.message})` : '';
    return `${p.metadata?.name} ${p.status?.phase} on ${p.spec?.nodeName ?? '-'}${why}`;
  }).join('; ') || 'no pods';
}
