// The simulated cluster's control plane: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler as supervised processes on loopback. The command lines are pure functions of
// the ports and files (read them to know exactly what runs); the start functions hand them to the
// Supervisor and wait, through waitUntil, for what "up" means for each.
//
// Every listener is on 127.0.0.1 on a port chosen at run time. etcd speaks plain HTTP on loopback
// (as kwokctl's binary runtime does): its data is a throwaway of this cluster alone.

import { join } from 'node:path';
import { Health, KubeConfig } from '@kubernetes/client-node';
import { LOOPBACK } from '../local/ports.ts';
import type { ManagedProcess, Supervisor } from '../process/supervisor.ts';
import { waitUntil } from '../process/waitUntil.ts';
import { FRONT_PROXY_CLIENT, type ClusterPki } from './certs.ts';

export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
}

/** The token issuer every in-cluster client of a kubeadm or kind cluster expects. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/**
 * kwok renews each node's Lease every ~10 s (a 40 s lease); on a busy 2-core machine a renewal can
 * lag past the default grace period (50 s) and the node flaps NotReady, which evicts nothing here
 * but fails scheduling and readiness. A sim cluster does not test node failure detection.
 */
export const NODE_MONITOR_GRACE_PERIOD = '300s';

export const etcdUrl = (ports: ControlPlanePorts) => `http://${LOOPBACK}:${ports.etcdClient}`;
export const apiServerUrl = (ports: ControlPlanePorts) => `https://${LOOPBACK}:${ports.apiServer}`;

export function etcdArgs(ports: ControlPlanePorts, dataDir: string): string[] {
  const peer = `http://${LOOPBACK}:${ports.etcdPeer}`;
  return [
    '--name=perflab-sim',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${etcdUrl(ports)}`,
    `--advertise-client-urls=${etcdUrl(ports)}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=perflab-sim=${peer}`,
    '--initial-cluster-state=new',
    // the data dies with the cluster: fsync would only make a small disk the bottleneck
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiServerArgs(ports: ControlPlanePorts, pki: ClusterPki, serviceCidr: string, certDir: string): string[] {
  return [
    `--etcd-servers=${etcdUrl(ports)}`,
    `--bind-address=${LOOPBACK}`,
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${ports.apiServer}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${pki.apiServer.certFile}`,
    `--tls-private-key-file=${pki.apiServer.keyFile}`,
    `--client-ca-file=${pki.ca.certFile}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccount.publicKeyFile}`,
    `--service-account-signing-key-file=${pki.serviceAccount.privateKeyFile}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--authorization-mode=Node,RBAC',
    // the aggregation layer, as kubeadm sets it up (the controller-manager and scheduler read it too)
    `--requestheader-client-ca-file=${pki.frontProxyCa.certFile}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClient.certFile}`,
    `--proxy-client-key-file=${pki.frontProxyClient.keyFile}`,
    // kind allows privileged pods; charts that ask for them must deploy here too
    '--allow-privileged=true',
    // The `kubernetes` Service would get this server's address as its endpoint, and Endpoints
    // refuse loopback addresses (an error every 10 s): no endpoints instead; nothing in the sim
    // cluster runs a process that would dial the Service.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ];
}

/** Flags the controller-manager and the scheduler share: identity, loopback serving, no profiling. */
function componentArgs(kubeconfig: string, port: number, certDir: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    '--profiling=false',
  ];
}

export function controllerManagerArgs(ports: ControlPlanePorts, pki: ClusterPki, kubeconfig: string, certDir: string): string[] {
  return [
    ...componentArgs(kubeconfig, ports.controllerManager, certDir),
    // each controller acts as its own service account, as on kubeadm and kind
    '--use-service-account-credentials=true',
    `--root-ca-file=${pki.ca.certFile}`,
    `--service-account-private-key-file=${pki.serviceAccount.privateKeyFile}`,
    `--cluster-signing-cert-file=${pki.ca.certFile}`,
    `--cluster-signing-key-file=${pki.ca.keyFile}`,
    `--node-monitor-grace-period=${NODE_MONITOR_GRACE_PERIOD}`,
    // A node keeps its not-ready taint until the node lifecycle controller's first pass after it
    // turned Ready: a pass every second rather than every 5 s, so a node is schedulable at once.
    '--node-monitor-period=1s',
  ];
}

export function schedulerArgs(ports: ControlPlanePorts, kubeconfig: string, certDir: string): string[] {
  return componentArgs(kubeconfig, ports.scheduler, certDir);
}

/** The environment of every cluster process: ours, minus what would point a component elsewhere. */
export function simEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(ETCD_|KWOK_|KUBECONFIG$)/.test(key)));
  return { ...env, ...extra };
}

export interface WaitContext {
  signal?: AbortSignal | undefined;
  timeoutMs: number;
}

export async function startEtcd(supervisor: Supervisor, binary: string, ports: ControlPlanePorts, dir: string, wait: WaitContext): Promise<ManagedProcess> {
  const proc = supervisor.start('etcd', binary, etcdArgs(ports, join(dir, 'etcd')), { env: simEnv() });
  let problem: string | undefined;
  await waitUntil('etcd /health', proc, async () => {
    try {
      const response = await fetch(`${etcdUrl(ports)}/health`);
      const body = (await response.json()) as { health?: string };
      problem = `health ${body.health ?? response.status}`;
      return body.health === 'true';
    } catch (error) {
      problem = (error as Error).message;
      return false;
    }
  }, { ...wait, lastProblem: () => problem });
  return proc;
}

export async function startApiServer(
  supervisor: Supervisor, binary: string, ports: ControlPlanePorts, pki: ClusterPki, serviceCidr: string,
  adminKubeconfig: KubeConfig, dir: string, watched: readonly ManagedProcess[], wait: WaitContext,
): Promise<ManagedProcess> {
  const proc = supervisor.start('kube-apiserver', binary, apiServerArgs(ports, pki, serviceCidr, join(dir, 'apiserver')), { env: simEnv() });
  const health = new Health(adminKubeconfig);
  let problem: string | undefined;
  // /readyz turns ok once etcd answers and every post-start hook (RBAC bootstrap roles, the
  // system priority classes, the `kubernetes` Service) has run.
  await waitUntil('kube-apiserver /readyz', [...watched, proc], async () => {
    try {
      return await health.readyz({ timeout: 5000 });
    } catch (error) {
      problem = (error as Error).message;
      return false;
    }
  }, { ...wait, lastProblem: () => problem });
  return proc;
}
