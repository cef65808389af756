// kwok's configuration for the simulated cluster (pure): which nodes kwok plays, where their pods'
// addresses come from, and the stages that move nodes and pods through their lives, as one
// multi-document YAML file passed to `kwok --config`.
//
// The stages follow what kwokctl runs by default ("fast" node and pod stages) and are written
// out here rather than left to kwok's built-in defaults, so what the cluster does is readable in
// one place and does not change with a kwok upgrade:
//   node-initialize  a node not yet Ready becomes Ready at once (conditions, address, phase);
//                    the capacity, allocatable and nodeInfo it was registered with are kept.
//   node-heartbeat   a Ready node re-posts its conditions about once a minute. Liveness comes from
//                    the node Lease kwok renews (nodeLeaseDurationSeconds), as with a real kubelet;
//                    this only keeps `lastHeartbeatTime` from looking stale to a human.
//   pod-ready        a pod bound to a kwok node "runs": Running, Ready, every container running.
//   pod-complete     a running pod owned by a Job completes (exit 0), so Jobs finish.
//   pod-exit         a running pod annotated SIM_EXIT_CODE_ANNOTATION with a number ends with that
//                    exit code (Succeeded for 0, else Failed); annotated `running`, it keeps running
//                    (and pod-complete leaves it alone) until the annotation says how it ends. What a
//                    container's process would decide, for tests that play it (k6's 99, 107...).
//   pod-delete       a pod being deleted loses its finalizers and is gone (no kubelet to confirm).
// Stage templates are Go templates over the object, with kwok's functions (Now, Quote,
// NodeIPWith, PodIPWith); the status they render is merged into the object's status.

import YAML from 'yaml';

/**
 * A pod's container exit, scripted: `running` keeps the pod's containers running, an integer
 * ("0", "99") ends them with that exit code. Without it pods behave as before (pods of Jobs exit 0
 * at once). Set it in a pod template to hold the pods, then on each pod to end it.
 */
export const SIM_EXIT_CODE_ANNOTATION = 'perflab.dev/sim-exit-code';
/** The value of SIM_EXIT_CODE_ANNOTATION that keeps the containers running. */
export const SIM_EXIT_RUNNING = 'running';

/** The annotation (kwok's convention) that marks a node as kwok's to play; nothing else is touched. */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

export interface KwokConfigInput {
  /** where pod IPs come from, gateway form ("127.97.0.1/16"). */
  podCidr: string;
  /** the address a node gets when it was registered without one. */
  nodeIp: string;
  /** seconds a node Lease is valid; kwok renews it well before (a real kubelet: 40). */
  nodeLeaseDurationSeconds: number;
}

interface Stage {
  apiVersion: 'kwok.x-k8s.io/v1alpha1';
  kind: 'Stage';
  metadata: { name: string };
  spec: {
    resourceRef: { apiGroup: 'v1'; kind: 'Node' | 'Pod' };
    selector: { matchExpressions: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }> };
    delay?: { durationMilliseconds: number; jitterDurationMilliseconds: number };
    next: { statusTemplate?: string; finalizers?: { empty: true }; delete?: true };
  };
}

const READY_STATUS = '.status.conditions.[] | select( .type == "Ready" ) | .status';

// Every condition a kubelet posts, healthy; the first argument of `condition` is the template's $now.
const NODE_CONDITIONS = [
  ['Ready', 'True', 'KubeletReady', 'kwok is posting ready status'],
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kwok has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kwok has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kwok has sufficient PID available'],
  ['NetworkUnavailable', 'False', 'RouteCreated', 'no network to set up'],
] as const;

function nodeConditionsTemplate(): string {
  return NODE_CONDITIONS.map(([type, status, reason, message]) => [
    `- type: ${type}`,
    `  status: "${status}"`,
    `  reason: ${reason}`,
    `  message: ${message}`,
    '  lastHeartbeatTime: {{ $now | Quote }}',
    '  lastTransitionTime: {{ $since | Quote }}',
  ].join('\n')).join('\n');
}

const NODE_STATUS = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
${nodeConditionsTemplate()}
{{ with .status.addresses }}{{ else }}
addresses:
- type: InternalIP
  address: {{ NodeIP | Quote }}
- type: Hostname
  address: {{ .metadata.name | Quote }}
{{ end }}
phase: Running
`;

const POD_RUNNING = `{{ $now := Now }}
phase: Running
startTime: {{ $now | Quote }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
conditions:
{{ range list "Initialized" "ContainersReady" "Ready" }}
- type: {{ . }}
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
{{ range .spec.readinessGates }}
- type: {{ .conditionType | Quote }}
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  restartCount: 0
{{ if eq .restartPolicy "Always" }}
  ready: true
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ else }}
  ready: true
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
{{ end }}
`;

const POD_SUCCEEDED = `{{ $now := Now }}
phase: Succeeded
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
`;

// The annotation's exit code (an integer: a number in YAML), on every container; the pod's phase as a
// kubelet would set it for restartPolicy Never (Job pods): Succeeded when it is 0, else Failed.
const POD_EXITED = `{{ $now := Now }}
{{ $code := index .metadata.annotations "${SIM_EXIT_CODE_ANNOTATION}" }}
phase: {{ if eq $code "0" }}Succeeded{{ else }}Failed{{ end }}
conditions:
{{ range list "ContainersReady" "Ready" }}
- type: {{ . }}
  status: "False"
  reason: PodCompleted
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    terminated:
      exitCode: {{ $code }}
      reason: {{ if eq $code "0" }}Completed{{ else }}Error{{ end }}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
`;

function stage(name: string, kind: 'Node' | 'Pod', spec: Omit<Stage['spec'], 'resourceRef'>): Stage {
  return { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name }, spec: { resourceRef: { apiGroup: 'v1', kind }, ...spec } };
}

const NOT_DELETING = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' } as const;
const EXIT_CODE = `.metadata.annotations["${SIM_EXIT_CODE_ANNOTATION}"]`;

export function kwokStages(): Stage[] {
  return [
    stage('node-initialize', 'Node', {
      selector: { matchExpressions: [{ key: READY_STATUS, operator: 'NotIn', values: ['True'] }] },
      next: { statusTemplate: NODE_STATUS },
    }),
    stage('node-heartbeat', 'Node', {
      selector: { matchExpressions: [{ key: '.status.phase', operator: 'In', values: ['Running'] }, { key: READY_STATUS, operator: 'In', values: ['True'] }] },
      // kwok's jitter is the upper bound of the delay: between 60 and 65 s
      delay: { durationMilliseconds: 60_000, jitterDurationMilliseconds: 65_000 },
      next: { statusTemplate: NODE_STATUS },
    }),
    stage('pod-ready', 'Pod', {
      selector: { matchExpressions: [NOT_DELETING, { key: '.status.podIP', operator: 'DoesNotExist' }] },
      next: { statusTemplate: POD_RUNNING },
    }),
    stage('pod-complete', 'Pod', {
      selector: {
        matchExpressions: [
          NOT_DELETING,
          { key: '.status.phase', operator: 'In', values: ['Running'] },
          { key: '.metadata.ownerReferences.[].kind', operator: 'In', values: ['Job'] },
          // a pod whose exit is scripted ends by pod-exit, when the script says
          { key: EXIT_CODE, operator: 'DoesNotExist' },
        ],
      },
      next: { statusTemplate: POD_SUCCEEDED },
    }),
    stage('pod-exit', 'Pod', {
      selector: {
        matchExpressions: [
          NOT_DELETING,
          { key: '.status.phase', operator: 'In', values: ['Running'] },
          { key: EXIT_CODE, operator: 'Exists' },
          { key: EXIT_CODE, operator: 'NotIn', values: [SIM_EXIT_RUNNING] },
        ],
      },
      next: { statusTemplate: POD_EXITED },
    }),
    stage('pod-delete', 'Pod', {
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }] },
      next: { finalizers: { empty: true }, delete: true },
    }),
  ];
}

/** The KwokConfiguration: kwok plays only annotated nodes, with no server of its own (no port). */
export function kwokConfiguration(input: KwokConfigInput) {
  return {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    options: {
      manageAllNodes: false,
      manageNodesWithAnnotationSelector: `${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
      cidr: input.podCidr,
      nodeIP: input.nodeIp,
      nodeLeaseDurationSeconds: input.nodeLeaseDurationSeconds,
    },
  };
}

/** The file for `kwok --config` (pure). */
export function kwokConfigYaml(input: KwokConfigInput): string {
  return [kwokConfiguration(input), ...kwokStages()].map((doc) => YAML.stringify(doc, { lineWidth: 0 })).join('---\n');
}
