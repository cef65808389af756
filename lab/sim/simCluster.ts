// A real Kubernetes control plane with simulated nodes, on loopback, as a library: etcd,
// kube-apiserver, kube-controller-manager and kube-scheduler (v1.36, built from the Go module proxy
// by lab/setup/controlPlane.ts) and kwok playing the given nodes. Deployments, Helm releases and
// CDKTF stacks apply to it as to any cluster; the scheduler places pods by labels, taints and
// capacity; pods on the nodes report Running (no container runs: there is no kubelet).
//
// Ready means: the API server's /readyz is ok, every node is Ready (and untainted by the node
// lifecycle controller) with its labels and capacity, the `default` ServiceAccount exists in
// `default` (the controller-manager's service-account controller works, so pods are admitted),
// and the scheduler and the controller-manager hold their leader leases.
//
// Every process is started through the Supervisor (pids recorded in <stateDir>/processes.json) and
// every wait goes through waitUntil, so a process that dies fails the start at once with its log.
// stop() stops everything and removes the state folder; an abort (Ctrl-C) or a failure during the
// start does the same before the error is thrown. detach() leaves it running after this process
// exits (lab:up keeps the sim profile's cluster that way: lab/sim/labSimCluster.ts).

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CoordinationV1Api, CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { ensureSimBinaries, type SimBinaries } from '../setup/controlPlane.ts';
import { freePort, LOOPBACK } from '../local/ports.ts';
import { Supervisor } from '../process/supervisor.ts';
import { logTail, waitUntil } from '../process/waitUntil.ts';
import { createClusterPki } from './certs.ts';
import { apiServerUrl, etcdUrl, startApiServer, startEtcd, controllerManagerArgs, schedulerArgs, simEnv, type ControlPlanePorts } from './controlPlane.ts';
import { kubeconfigYaml, SIM_CONTEXT } from './kubeconfig.ts';
import { nodeManifest, nodeProblem, startKwok, type SimNode } from './nodes.ts';

export type { SimNode } from './nodes.ts';

/** Service addresses inside 127.0.0.0/8: nothing the cluster names can leave the machine. */
export const DEFAULT_SERVICE_CIDR = '127.96.0.0/16';
/** Pod addresses kwok hands out, also loopback (Endpoints refuse them; harmless without traffic). */
export const DEFAULT_POD_CIDR = '127.97.0.0/16';

export interface SimClusterOptions {
  /** The cluster's own folder (certificates, etcd data, logs, pid file): created, and removed by stop(). It must not exist or be empty. */
  stateDir: string;
  /** The nodes kwok plays; the lab config says which (one per pool, shaped like kind-config.yaml). */
  nodes: readonly SimNode[];
  /** Progress lines ("sim cluster: etcd ready ..."). */
  log?: (line: string) => void;
  /** Ctrl-C: stop what was started, remove the state, throw. Only the start listens to it. */
  signal?: AbortSignal;
  /** @default DEFAULT_SERVICE_CIDR */
  serviceCidr?: string;
  /** @default DEFAULT_POD_CIDR */
  podCidr?: string;
  /** Give up the start after this long. @default 120_000 */
  timeoutMs?: number;
  /** @default the pinned binaries, built into .bin/ first if missing (minutes, once) */
  binaries?: SimBinaries;
}

export interface SimCluster {
  /** An admin kubeconfig (system:masters), certificates embedded. */
  kubeconfigPath: string;
  /** Its only context ("perflab-sim"). */
  context: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** http://127.0.0.1:<port> (plain HTTP on loopback) */
  etcdUrl: string;
  nodes: readonly SimNode[];
  serviceCidr: string;
  podCidr: string;
  stateDir: string;
  /** kubectl of the same version, for scripts and humans. */
  kubectl: string;
  /** What was started, for a caller that wants to check they are gone after stop(). */
  processes: ReadonlyArray<{ name: string; pid: number }>;
  /** A client-node KubeConfig for the admin (works even after the files are gone). */
  kubeConfig(): KubeConfig;
  /** Stops every process (newest first) and removes the state folder. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Lets this Node.js process exit while the cluster keeps running (lab:up keeps it for the next
   * command): each process is already its own process group, writing to its own log file; this
   * drops the handles Node would otherwise wait on. The pid file in `stateDir` still records them,
   * and stopRecordedProcesses(stateDir) stops them later.
   */
  detach(): void;
}

/** The address `offset` after a CIDR's network address, e.g. ("127.96.0.0/16", 1) -> 127.96.0.1 (IPv4). */
export function addressInCidr(cidr: string, offset: number): string {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR: ${JSON.stringify(cidr)} (expected e.g. 127.96.0.0/16)`);
  const bits = Number(match[5]);
  const base = match.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const network = bits === 0 ? 0 : Math.floor(base / 2 ** (32 - bits)) * 2 ** (32 - bits);
  const address = network + offset;
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

function checkOptions(options: SimClusterOptions, serviceCidr: string, podCidr: string): void {
  for (const [field, cidr] of [['serviceCidr', serviceCidr], ['podCidr', podCidr]] as const) {
    if (!addressInCidr(cidr, 0).startsWith('127.')) throw new Error(`${field} ${cidr} must be inside 127.0.0.0/8 (the sim cluster stays on loopback)`);
  }
  const names = options.nodes.map((n) => n.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`nodes: the name ${duplicate} is used twice`);
  if (existsSync(options.stateDir) && readdirSync(options.stateDir).length > 0) {
    throw new Error(`stateDir ${options.stateDir} is not empty: the sim cluster removes its state folder on stop, give it a new one`);
  }
}

export async function startSimCluster(options: SimClusterOptions): Promise<SimCluster> {
  const started = Date.now();
  const log = (line: string) => options.log?.(`sim cluster: ${line}`);
  const since = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const serviceCidr = options.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  const podCidr = options.podCidr ?? DEFAULT_POD_CIDR;
  checkOptions(options, serviceCidr, podCidr);
  const stateDir = resolve(options.stateDir);
  const binaries = options.binaries ?? (await ensureSimBinaries(log));

  mkdirSync(stateDir, { recursive: true });
  const supervisor = new Supervisor(stateDir);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await supervisor.stopAll();
    rmSync(stateDir, { recursive: true, force: true });
  };
  const wait = { signal: options.signal, timeoutMs: options.timeoutMs ?? 120_000 };

  try {
    const ports: ControlPlanePorts = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiServer: await freePort(),
      controllerManager: await freePort(),
      scheduler: await freePort(),
    };
    const server = apiServerUrl(ports);
    const pki = createClusterPki(join(stateDir, 'pki'), { kubernetesServiceIp: addressInCidr(serviceCidr, 1) });
    const writeKubeconfig = (name: string, user: string, cert: { certPem: string; keyPem: string }) => {
      const file = join(stateDir, `${name}.kubeconfig`);
      const text = kubeconfigYaml({ server, caPem: pki.ca.certPem, user, certPem: cert.certPem, keyPem: cert.keyPem });
      writeFileSync(file, text, { mode: 0o600 });
      return { file, text };
    };
    const admin = writeKubeconfig('admin', 'perflab-sim-admin', pki.admin);
    const kubeConfig = () => {
      const kc = new KubeConfig();
      kc.loadFromString(admin.text);
      return kc;
    };

    const etcd = await startEtcd(supervisor, binaries.etcd, ports, stateDir, wait);
    log(`etcd ready at ${etcdUrl(ports)} (${since()})`);
    await startApiServer(supervisor, binaries['kube-apiserver'], ports, pki, serviceCidr, kubeConfig(), stateDir, [etcd], wait);
    log(`kube-apiserver ready at ${server} (${since()})`);

    // Nodes first, then the components that act on them.
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const registered = new Map<string, V1Node>();
    for (const node of options.nodes) {
      try {
        registered.set(node.name, await core.createNode({ body: nodeManifest(node) }));
      } catch (error) {
        throw new Error(`registering node ${node.name} failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const controllerManager = writeKubeconfig('controller-manager', 'system:kube-controller-manager', pki.controllerManager);
    const scheduler = writeKubeconfig('scheduler', 'system:kube-scheduler', pki.scheduler);
    supervisor.start('kube-controller-manager', binaries['kube-controller-manager'],
      controllerManagerArgs(ports, pki, controllerManager.file, join(stateDir, 'controller-manager')), { env: simEnv() });
    supervisor.start('kube-scheduler', binaries['kube-scheduler'], schedulerArgs(ports, scheduler.file, join(stateDir, 'scheduler')), { env: simEnv() });
    startKwok(supervisor, binaries.kwok, admin.file, stateDir, {
      podCidr: `${addressInCidr(podCidr, 1)}/${podCidr.split('/')[1]}`,
      nodeIp: LOOPBACK,
      nodeLeaseDurationSeconds: 40, // a kubelet's default
    });

    const coordination = kubeConfig().makeApiClient(CoordinationV1Api);
    let problem: string | undefined;
    const clusterProblem = async (): Promise<string | undefined> => {
      const nodes = (await core.listNode()).items;
      for (const wanted of options.nodes) {
        const why = nodeProblem(wanted, registered.get(wanted.name)!, nodes.find((n) => n.metadata?.name === wanted.name));
        if (why) return why;
      }
      for (const leader of ['kube-controller-manager', 'kube-scheduler']) {
        const lease = await coordination.readNamespacedLease({ name: leader, namespace: 'kube-system' }).catch(() => undefined);
        if (!lease?.spec?.holderIdentity) return `${leader} holds no leader lease yet`;
      }
      const account = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }).catch(() => undefined);
      return account ? undefined : 'no default ServiceAccount in namespace default yet';
    };
    await waitUntil(`${options.nodes.length} node(s) Ready, the leaders elected and the default ServiceAccount`, supervisor.processes, async () => {
      const now = await clusterProblem().catch((error: Error) => error.message.split('\n')[0]);
      if (now && now !== problem) log(`waiting: ${now} (${since()})`);
      problem = now;
      return problem === undefined;
    }, { ...wait, lastProblem: () => problem });
    log(`ready in ${since()}: ${options.nodes.length} node(s), API ${server}, kubeconfig ${admin.file} (context ${SIM_CONTEXT})`);

    return {
      kubeconfigPath: admin.file,
      context: SIM_CONTEXT,
      server,
      etcdUrl: etcdUrl(ports),
      nodes: options.nodes,
      serviceCidr,
      podCidr,
      stateDir,
      kubectl: binaries.kubectl,
      processes: supervisor.processes.map((p) => ({ name: p.name, pid: p.pid })),
      kubeConfig,
      stop,
      detach: () => {
        for (const p of supervisor.processes) p.child.unref();
      },
    };
  } catch (error) {
    // The state folder (and its logs) goes: quote the logs' last lines while they exist.
    const tails = options.signal?.aborted
      ? ''
      : supervisor.processes.map((p) => `--- ${p.name} (${p.logFile}):\n${logTail(p.logFile, 8)}`).join('\n');
    // the start's own error is the one to report, even if stopping fails as well
    const stopFailure = await stop().then(() => '', (e: Error) => `\n(stopping what had started failed too: ${e.message})`);
    const message = (error instanceof Error ? error.message : String(error)) + stopFailure;
    throw new Error(`the sim cluster did not start: ${message}${tails ? `\nlast log lines:\n${tails}` : ''}`, { cause: error });
  }
}
