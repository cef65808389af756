// The simulated cluster's nodes: the Node objects registered for a list of node shapes (pure), kwok
// started to play them, and the check that a node is what was asked for and schedulable.
//
// A node is registered as a kubelet registers itself (a Node with its capacity and allocatable in
// its status) and carries kwok's annotation, so kwok plays exactly these nodes and no other.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Node, V1Taint } from '@kubernetes/client-node';
import { KUBERNETES, KWOK } from '../versions.ts';
import type { ManagedProcess, Supervisor } from '../process/supervisor.ts';
import { KWOK_NODE_ANNOTATION, kwokConfigYaml, type KwokConfigInput } from './kwokConfig.ts';
import { simEnv } from './controlPlane.ts';

/** One simulated node: what the scheduler sees of a machine. */
export interface SimNode {
  /** a DNS label, e.g. "perflab-worker-data" */
  name: string;
  /** node labels, e.g. { 'perflab.dev/pool': 'data' }; kubernetes.io/hostname, os and arch are added. */
  labels: Record<string, string>;
  /** capacity, also the allocatable (no system reservation): cpu "4" or "3500m", memory "8Gi", pods 110. */
  capacity: { cpu: string | number; memory: string; pods: string | number };
  /** e.g. a control-plane node's node-role.kubernetes.io/control-plane:NoSchedule; default none. */
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
}

/** Taints the node lifecycle controller sets while a node is not Ready: a node with one is not schedulable yet. */
const NOT_READY_TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** The Node a kubelet on this machine would register (pure). */
export function nodeManifest(node: SimNode): V1Node {
  const capacity = { cpu: String(node.capacity.cpu), memory: node.capacity.memory, pods: String(node.capacity.pods) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...node.labels,
      },
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value },
    },
    spec: node.taints?.length ? { taints: node.taints.map((t): V1Taint => ({ ...t })) } : {},
    status: {
      capacity,
      allocatable: capacity,
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        kubeletVersion: KUBERNETES.version,
        kubeProxyVersion: KUBERNETES.version,
        containerRuntimeVersion: `kwok://${KWOK.version}`,
        kernelVersion: `kwok-${KWOK.version}`,
        osImage: 'perflab simulated node (kwok)',
        bootID: '',
        machineID: '',
        systemUUID: '',
      },
    },
  };
}

/**
 * Why `actual` is not yet the node that was registered as `registered` for `wanted`, or undefined
 * when it is: Ready, free of not-ready taints, with its labels and capacity.
 */
export function nodeProblem(wanted: SimNode, registered: V1Node, actual: V1Node | undefined): string | undefined {
  if (!actual) return `${wanted.name} is not registered`;
  const ready = actual.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return `${wanted.name} is not Ready (${ready ? `${ready.status}: ${ready.reason}` : 'no Ready condition'})`;
  const notReadyTaint = actual.spec?.taints?.find((t) => NOT_READY_TAINTS.includes(t.key));
  if (notReadyTaint) return `${wanted.name} still has the taint ${notReadyTaint.key}`;
  for (const [key, value] of Object.entries(wanted.labels)) {
    if (actual.metadata?.labels?.[key] !== value) return `${wanted.name} lacks the label ${key}=${value}`;
  }
  // Compared with what the API server stored at registration (its canonical form: "4000m" is "4").
  for (const resource of ['cpu', 'memory', 'pods']) {
    const want = registered.status?.capacity?.[resource];
    const got = actual.status?.capacity?.[resource];
    if (got !== want) return `${wanted.name} has ${resource} capacity ${got}, not ${want}`;
  }
  return undefined;
}

/** Starts kwok with its configuration written to `<dir>/kwok/kwok.yaml`, acting as the admin. */
export function startKwok(supervisor: Supervisor, binary: string, adminKubeconfig: string, dir: string, config: KwokConfigInput): ManagedProcess {
  const workDir = join(dir, 'kwok');
  mkdirSync(workDir, { recursive: true });
  // kwok also loads $KWOK_WORKDIR/kwok.yaml (default ~/.kwok/kwok.yaml) when it exists: its work
  // folder is ours, so a user's kwok configuration never leaks into the cluster.
  const configFile = join(workDir, 'kwok.yaml');
  writeFileSync(configFile, kwokConfigYaml(config));
  return supervisor.start('kwok', binary, [`--kubeconfig=${adminKubeconfig}`, `--config=${configFile}`], {
    env: simEnv({ KWOK_WORKDIR: workDir }),
  });
}
