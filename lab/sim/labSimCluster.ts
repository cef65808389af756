// The sim profile's cluster, kept between commands: `lab:up --profile sim` starts it with the lab
// config's nodes (simClusterNodes) and leaves it running when it exits, the next lab:up reuses it
// (or says why it cannot), and lab:down stops it and removes its state.
//
// Its folder is <root>/.lab/sim:
//   cluster/       the running cluster's state (certificates, etcd data, logs, the Supervisor's
//                  pid file processes.json), lab/sim/simCluster.ts's stateDir;
//   cluster.json   what was started (kubeconfig, context, API, nodes), written once it is ready;
// and the kubeconfig goes where the config says (cluster.kubeconfig, default .lab/sim/kubeconfig),
// with the config's context. A kubeconfig this module did not write is never overwritten.
//
// Its processes are stopped only through the pid file (stopRecordedProcesses): never by name.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import type { LabConfig } from '../config/types.ts';
import { clusterNodes, POOL_NAMES } from '../cluster/pools.ts';
import { recordedProcesses, stopRecordedProcesses } from '../process/supervisor.ts';
import type { SimBinaries } from '../setup/controlPlane.ts';
import { startSimCluster, type SimNode } from './simCluster.ts';

/** The label and taint of the control-plane node, as kubeadm (and so kind) sets them. */
export const CONTROL_PLANE_ROLE = 'node-role.kubernetes.io/control-plane';

export const simLabDir = (root: string) => join(root, '.lab', 'sim');
export const simStateDir = (root: string) => join(simLabDir(root), 'cluster');
const recordFile = (root: string) => join(simLabDir(root), 'cluster.json');

/** What lab:up started, as cluster.json records it. */
export interface SimClusterRecord {
  /** the kubeconfig written for the lab (cluster.kubeconfig then) and its context. */
  kubeconfig: string;
  context: string;
  /** https://127.0.0.1:<port> */
  server: string;
  nodes: SimNode[];
  startedAt: string;
}

export type SimClusterStatus =
  /** nothing recorded: no state folder. */
  | { state: 'none' }
  /** every recorded process runs. */
  | { state: 'running'; record: SimClusterRecord; processes: string[] }
  /** recorded, and none of its processes runs any more (the machine restarted, or they were killed). */
  | { state: 'stopped'; record: SimClusterRecord }
  /** recorded, and some of its processes run while others do not. */
  | { state: 'broken'; record: SimClusterRecord; running: string[]; dead: string[] }
  /** a state folder without a record: a start that never finished (its lab:up was killed). */
  | { state: 'unfinished'; running: string[] };

/** A sim cluster that is there but cannot be used as it is, said so that the user knows what to do. */
export class SimClusterError extends Error {}

/**
 * The nodes of the lab's simulated cluster: a control-plane node (labelled and tainted
 * NoSchedule, as kind's is: no lab pod runs there) and one worker per pool (clusterNodes), every
 * one sized by cluster.nodes (the control plane like the first pool's worker: on kind every node
 * reports the one host). Pure.
 */
export function simClusterNodes(config: LabConfig): SimNode[] {
  const size = config.cluster.nodes[POOL_NAMES[0]!];
  return [
    {
      name: `${config.cluster.name}-control-plane`,
      labels: { [CONTROL_PLANE_ROLE]: '' },
      capacity: { cpu: size.cpu, memory: size.memory, pods: String(size.pods) },
      taints: [{ key: CONTROL_PLANE_ROLE, effect: 'NoSchedule' }],
    },
    ...clusterNodes(config).map((node): SimNode => ({ name: node.name, labels: { ...node.labels }, capacity: { ...node.capacity } })),
  ];
}

function readRecord(root: string): SimClusterRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(root), 'utf8')) as SimClusterRecord;
  } catch {
    return undefined;
  }
}

/** What is there of the lab's simulated cluster under `root` (reads files and /proc only). */
export function simClusterStatus(root: string): SimClusterStatus {
  const stateDir = simStateDir(root);
  const record = readRecord(root);
  const processes = existsSync(stateDir) ? recordedProcesses(stateDir) : [];
  const running = processes.filter((p) => p.running).map((p) => p.name);
  const dead = processes.filter((p) => !p.running).map((p) => p.name);
  if (!record) return existsSync(stateDir) ? { state: 'unfinished', running } : { state: 'none' };
  if (running.length === 0) return { state: 'stopped', record };
  if (dead.length > 0) return { state: 'broken', record, running, dead };
  return { state: 'running', record, processes: running };
}

/** Why the running cluster does not answer as the lab needs (API, nodes Ready), or undefined. */
async function healthProblem(record: SimClusterRecord, kubeconfigText: string, timeoutMs = 10_000): Promise<string | undefined> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigText);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`the API server ${record.server} did not answer within ${timeoutMs / 1000} s`), timeoutMs);
  });
  const check = (async () => {
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
    for (const wanted of record.nodes) {
      const node = nodes.find((n) => n.metadata?.name === wanted.name);
      if (!node) return `node ${wanted.name} is not registered`;
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') return `node ${wanted.name} is not Ready (${ready?.reason ?? 'no Ready condition'})`;
    }
    return undefined;
  })().catch((error: Error) => `the API server ${record.server} does not answer: ${error.message.split('\n')[0]}`);
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The admin kubeconfig of the state folder, with the lab config's context (and cluster) name. */
function labKubeconfig(root: string, context: string): string {
  const doc = YAML.parse(readFileSync(join(simStateDir(root), 'admin.kubeconfig'), 'utf8')) as {
    clusters: Array<{ name: string }>;
    contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
    'current-context': string;
  };
  doc.clusters[0]!.name = context;
  doc.contexts = [{ name: context, context: { cluster: context, user: doc.contexts[0]!.context.user } }];
  doc['current-context'] = context;
  return YAML.stringify(doc);
}

function writeKubeconfig(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, { mode: 0o600 });
}

const names = (nodes: readonly SimNode[]) => nodes.map((n) => `${n.name} (${n.capacity.cpu} CPU / ${n.capacity.memory})`).join(', ');

export interface EnsureOptions {
  /** the folder holding .lab/ (the repository root). */
  root: string;
  log: (line: string) => void;
  /** Ctrl-C during the start: stop what was started, remove the state, throw. */
  signal?: AbortSignal;
  /** say what would be done, do nothing. */
  dryRun?: boolean;
  /** @default the pinned binaries, built into .bin/ first if missing */
  binaries?: SimBinaries;
}

export interface EnsureResult {
  action: 'reused' | 'started' | 'none (dry run)';
  /** a cluster recorded earlier that had stopped (or never finished starting) was removed first. */
  replaced?: 'stopped' | 'unfinished';
  record?: SimClusterRecord;
}

/**
 * Makes sure the lab's simulated cluster runs with the config's nodes and its kubeconfig is at
 * cluster.kubeconfig: reuses a running one that matches, replaces one that has stopped, and
 * otherwise starts one, which keeps running after this process exits. Throws SimClusterError when
 * what is there cannot be used (other nodes, part of it dead, not answering, a foreign kubeconfig
 * in the way), naming what to do.
 */
export async function ensureSimCluster(config: LabConfig, opts: EnsureOptions): Promise<EnsureResult> {
  const { root, log } = opts;
  const nodes = simClusterNodes(config);
  const { kubeconfig, context } = config.cluster;
  const status = simClusterStatus(root);
  const where = relative(root, simLabDir(root)) || simLabDir(root);
  const down = 'npm run lab:down -- --profile sim';

  if (status.state === 'running') {
    const { record } = status;
    if (!isDeepStrictEqual(record.nodes, nodes)) {
      throw new SimClusterError(`the running simulated cluster (${where}) has the nodes ${names(record.nodes)}; the lab config asks for ${names(nodes)}.\n`
        + `  Its nodes are fixed when it starts: run \`${down}\` (destroys the stacks in it), then lab:up again.`);
    }
    if (record.kubeconfig !== kubeconfig || record.context !== context) {
      throw new SimClusterError(`the running simulated cluster's kubeconfig is ${record.kubeconfig} (context ${record.context}); the lab config says ${kubeconfig} (context ${context}).\n`
        + `  Set cluster.kubeconfig and cluster.context back, or run \`${down}\` with the config that started it.`);
    }
    const text = labKubeconfig(root, context);
    const problem = await healthProblem(record, text);
    if (problem) {
      throw new SimClusterError(`the simulated cluster in ${where} runs but cannot be used: ${problem} (logs: ${join(simStateDir(root), 'logs')}).\n`
        + `  Run \`${down}\`, then lab:up again.`);
    }
    if (!existsSync(kubeconfig) && !opts.dryRun) {
      writeKubeconfig(kubeconfig, text);
      log(`wrote its kubeconfig again: ${kubeconfig}`);
    }
    log(`simulated cluster running since ${record.startedAt} (${record.server}, ${record.nodes.length} nodes): reusing it`);
    return { action: 'reused', record };
  }
  if (status.state === 'broken') {
    throw new SimClusterError(`the simulated cluster in ${where} is not whole: ${status.dead.join(', ')} not running (${status.running.join(', ')} still running; logs: ${join(simStateDir(root), 'logs')}).\n`
      + `  Run \`${down}\` (it stops what still runs and removes it), then lab:up again.`);
  }

  // From here on a new cluster is started: its kubeconfig must not replace someone else's file.
  const ours = status.state === 'stopped' && status.record.kubeconfig === kubeconfig;
  if (existsSync(kubeconfig) && !ours) {
    throw new SimClusterError(`cluster.kubeconfig ${kubeconfig} exists and no simulated cluster lab:up started wrote it: the sim profile writes its kubeconfig there.\n`
      + '  Move that file away, or set cluster.kubeconfig to a file that does not exist (the default is .lab/sim/kubeconfig).');
  }
  const replaced = status.state === 'stopped' || status.state === 'unfinished' ? status.state : undefined;
  if (opts.dryRun) {
    if (replaced) log(`would remove the ${replaced} simulated cluster in ${where}`);
    log(`would start a simulated cluster: ${names(nodes)}; kubeconfig ${kubeconfig} (context ${context})`);
    return { action: 'none (dry run)', replaced };
  }
  if (replaced) {
    const stopped = await stopRecordedProcesses(simStateDir(root));
    removeSimState(root, status.state === 'stopped' ? status.record : undefined);
    log(status.state === 'stopped'
      ? `the simulated cluster started ${status.record.startedAt} had stopped (none of its processes runs: the machine restarted, or they were killed): removed ${where}`
      : `a simulated cluster whose start never finished was left in ${where}: ${stopped.length > 0 ? `stopped ${stopped.join(', ')}, ` : ''}removed it`);
  }

  log(`starting a simulated cluster: ${names(nodes)}`);
  let cluster;
  try {
    cluster = await startSimCluster({ stateDir: simStateDir(root), nodes, log, signal: opts.signal, binaries: opts.binaries });
  } catch (error) {
    removeSimState(root, undefined); // the start removed its own folder: .lab/sim goes too when empty
    throw error;
  }
  const record: SimClusterRecord = { kubeconfig, context, server: cluster.server, nodes, startedAt: new Date().toISOString() };
  try {
    // the record first: it names the kubeconfig as ours, so a lab:up killed in between can still replace it
    writeFileSync(recordFile(root), `${JSON.stringify(record, null, 2)}\n`);
    writeKubeconfig(kubeconfig, labKubeconfig(root, context));
  } catch (error) {
    await cluster.stop();
    removeSimState(root, record);
    throw error;
  }
  cluster.detach();
  log(`kubeconfig ${kubeconfig} (context ${context}); the cluster keeps running after lab:up (pids in ${relative(root, join(simStateDir(root), 'processes.json'))}), \`${down}\` stops it`);
  return { action: 'started', replaced, record };
}

/** Removes the state folder, the record and the kubeconfig the record names, and .lab/sim when empty. */
function removeSimState(root: string, record: SimClusterRecord | undefined): string[] {
  const removed: string[] = [];
  if (existsSync(simStateDir(root))) {
    rmSync(simStateDir(root), { recursive: true, force: true });
    removed.push(simStateDir(root));
  }
  if (record && existsSync(record.kubeconfig)) {
    rmSync(record.kubeconfig, { force: true });
    removed.push(record.kubeconfig);
  }
  rmSync(recordFile(root), { force: true });
  const dir = simLabDir(root);
  if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  return removed;
}

/**
 * Stops the lab's simulated cluster (whatever state it is in: running, stopped, broken, a start
 * that never finished) through its pid file and removes its state and its kubeconfig. Returns the
 * processes it stopped and the paths it removed; both empty when there was nothing.
 */
export async function stopSimCluster(root: string): Promise<{ stopped: string[]; removed: string[] }> {
  const status = simClusterStatus(root);
  if (status.state === 'none') return { stopped: [], removed: [] };
  const stopped = existsSync(simStateDir(root)) ? await stopRecordedProcesses(simStateDir(root)) : [];
  const removed = removeSimState(root, 'record' in status ? status.record : undefined);
  return { stopped, removed };
}
