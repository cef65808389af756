// Faults as data (issue 12): `KIND@OFFSET[+DURATION]`, from `--fault` (repeatable) or a scenario's
// `options.ext.perflab.faults`, and what each target does for each kind — or why it does not, which
// is a usage error before anything starts. Pure.
//
// The table below is the one place that says, per kind: what is hit, which lab checks it is
// expected to break while it lasts (those are not a lab failure once it has recovered), whether it
// takes a DURATION, and what the local and the cluster target do. docs/resilience.md is this
// table in words.

import { didYouMean } from '../config/didYouMean.ts';
import { formatDuration, parseDuration } from '../scenarios/profiles.ts';

export const FAULT_KINDS = [
  'pg-replica-kill',
  'pg-primary-kill',
  'pg-replica-pause',
  'redis-primary-kill',
  'redis-node-pause',
  'target-restart',
  'prometheus-restart',
  'runner-kill',
  'network-latency',
  'network-loss',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultTargetName = 'local' | 'cluster';

/** What a target does for a kind, or why it does not. */
export type KindSupport = { supported: true; does: string } | { supported: false; why: string };

export interface KindInfo {
  title: string;
  /** a stall lasts DURATION (required); a kill or restart is one moment (no DURATION). */
  duration: 'required' | 'none';
  /**
   * The lab checks this fault is expected to fail until it has recovered (ids of lab/run's local
   * and cluster lab checks). A check outside this list failing meanwhile is reported as unexpected.
   */
  expectedChecks: readonly string[];
  local: KindSupport;
  cluster: KindSupport;
}

const NETWORK_LOCAL_WHY =
  'the local lab does not inject network faults: tc netem (root, iproute2 and the kernel\'s sch_netem) is the way to do it on a ' +
  'dedicated loopback address, and this lab has no implementation it could test (the kernel it was built on has no netem: ' +
  '"tc qdisc add ... netem" answers "Specified qdisc kind is unknown"); nothing is ever changed on the machine\'s interfaces';
const NETWORK_CLUSTER_WHY =
  'the cluster lab deploys no network fault tool (no Chaos Mesh, no Litmus, no netem sidecar): the lab leaves network faults out on the cluster';

/** A pause (SIGSTOP) needs the process itself, which the cluster's API does not reach. */
function pauseNotOnCluster(kind: FaultKind): KindSupport {
  return {
    supported: false,
    why: 'the Kubernetes API cannot stop a container\'s processes (it would take a privileged exec into the pod, which the lab does not do); ' +
      `${kind} runs on the local target`,
  };
}

export const FAULT_KIND_INFO: Record<FaultKind, KindInfo> = {
  'pg-replica-kill': {
    title: 'a Postgres hot standby killed',
    duration: 'none',
    // the target's health says degraded while one of its read replicas is away (local; on the cluster it reads -ro)
    expectedChecks: ['replication_streaming', 'target_healthy'],
    local: { supported: true, does: 'SIGKILL to postgres-replica-1\'s process group; the supervisor starts it again (restart policy), it streams again from its slot on the primary' },
    cluster: { supported: true, does: 'deletes the pod of a CloudNativePG replica (labels cnpg.io/cluster=<cluster>, cnpg.io/instanceRole=replica); the operator recreates it' },
  },
  'pg-primary-kill': {
    title: 'the Postgres primary killed',
    duration: 'none',
    expectedChecks: ['replication_streaming', 'target_healthy'],
    local: {
      supported: false,
      why: 'the local lab does not fail over its primary (no standby is promoted, the target is not repointed): a killed primary would only be restarted ' +
        'in place, which is not the failover this kind measures; use --target cluster (CloudNativePG promotes a standby)',
    },
    cluster: { supported: true, does: 'deletes the pod of the CloudNativePG primary (cnpg.io/instanceRole=primary); CloudNativePG promotes a standby and repoints <cluster>-rw' },
  },
  'pg-replica-pause': {
    title: 'a Postgres hot standby stalled (SIGSTOP) for DURATION',
    duration: 'required',
    expectedChecks: ['replication_streaming', 'target_healthy'],
    local: { supported: true, does: 'SIGSTOP to postgres-replica-1\'s process group, SIGCONT after DURATION: a standby that stalls rather than dies' },
    cluster: pauseNotOnCluster('pg-replica-pause'),
  },
  'redis-primary-kill': {
    title: 'a Redis cluster primary killed',
    duration: 'none',
    // the exporter's scrape of a dead or stalled node fails; the target's health says degraded meanwhile
    expectedChecks: ['redis_cluster_ok', 'prometheus_scraping', 'target_healthy'],
    local: {
      supported: true,
      does: 'SIGKILL to the node serving slot 0 as primary; Redis Cluster promotes its replica, and the supervisor starts the node again after its restart delay ' +
        '(longer than the failover: a cache without persistence restarted first would come back an empty primary), it rejoins as a replica',
    },
    cluster: { supported: true, does: 'deletes the pod of a Redis primary (redis_instance_info{role="master"} in Prometheus, else the operator\'s role=leader label); the StatefulSet recreates it' },
  },
  'redis-node-pause': {
    title: 'a Redis cluster primary stalled (SIGSTOP) for DURATION',
    duration: 'required',
    // the exporter's scrape of a dead or stalled node fails; the target's health says degraded meanwhile
    expectedChecks: ['redis_cluster_ok', 'prometheus_scraping', 'target_healthy'],
    local: { supported: true, does: 'SIGSTOP to the node serving slot 0 as primary, SIGCONT after DURATION (longer than 3 s: the cluster fails it over, and it rejoins as a replica)' },
    cluster: pauseNotOnCluster('redis-node-pause'),
  },
  'target-restart': {
    title: 'the target service restarted',
    duration: 'none',
    expectedChecks: ['target_healthy', 'prometheus_scraping'],
    local: { supported: true, does: 'SIGTERM to the one target process; the supervisor starts it again (an outage: the local lab runs one target process, not a rolling restart of several)' },
    cluster: { supported: true, does: 'scales the target Deployment to 0 and back to its replicas (an outage of every target pod); recovery read from the Deployment\'s readyReplicas' },
  },
  'prometheus-restart': {
    title: 'Prometheus restarted',
    duration: 'none',
    expectedChecks: ['prometheus_scraping'],
    local: {
      supported: true,
      does: 'SIGTERM to Prometheus; the supervisor starts it again on the same data. k6 does not retry a failed remote-write push: the pushes meanwhile are lost ' +
        '(the runners\' cumulative series keep whole-run figures whole); windows over the gap are not reported',
    },
    cluster: {
      supported: false,
      why: 'the run reads the cluster\'s Prometheus through a port-forward (--prometheus-url), which ends with the pod it forwards to: ' +
        'a restarted Prometheus pod would leave the run unable to judge itself',
    },
  },
  'runner-kill': {
    title: 'one k6 runner killed',
    duration: 'none',
    expectedChecks: [],
    local: { supported: true, does: 'SIGKILL to the last k6 runner; the verdict names it, judges what the other runners measured, and the run is partial' },
    cluster: {
      supported: true,
      does: 'deletes the pod of the last runner (labels k6_cr=<testrun>, runner=true); the verdict names it and judges what the other runners measured (partial). ' +
        'Note: its Job may replace the pod, and the replacement waits paused for a start that never comes',
    },
  },
  'network-latency': {
    title: 'latency between the target and the data tier for DURATION',
    duration: 'required',
    expectedChecks: [],
    local: { supported: false, why: NETWORK_LOCAL_WHY },
    cluster: { supported: false, why: NETWORK_CLUSTER_WHY },
  },
  'network-loss': {
    title: 'packet loss between the target and the data tier for DURATION',
    duration: 'required',
    expectedChecks: [],
    local: { supported: false, why: NETWORK_LOCAL_WHY },
    cluster: { supported: false, why: NETWORK_CLUSTER_WHY },
  },
};

/** One fault of a run: a kind, when (from the runners' start) and, for a stall, how long. */
export interface FaultSpec {
  kind: FaultKind;
  /** as written: `10s`, `1m30s`. */
  at: string;
  atMs: number;
  duration?: string;
  durationMs?: number;
  /** where it came from: `--fault` or the scenario's options.ext.perflab.faults. */
  source: 'flag' | 'scenario';
}

export class FaultSpecError extends Error {}

/** `kind@at[+duration]`, as every message and the summary name a fault. */
export function faultLabel(f: Pick<FaultSpec, 'kind' | 'at' | 'duration'>): string {
  return `${f.kind}@${f.at}${f.duration !== undefined ? `+${f.duration}` : ''}`;
}

function kindOf(text: string, where: string): FaultKind {
  if ((FAULT_KINDS as readonly string[]).includes(text)) return text as FaultKind;
  const guess = didYouMean(text, FAULT_KINDS);
  throw new FaultSpecError(`${where}: "${text}" is not a fault kind${guess ? ` (did you mean ${guess}?)` : ''}; valid: ${FAULT_KINDS.join(', ')}`);
}

function durationOf(text: string, what: string, where: string, minMs: number): number {
  let ms: number;
  try {
    ms = parseDuration(text, what);
  } catch {
    throw new FaultSpecError(`${where}: ${what} "${text}" is not a duration; write it as k6 does: 10s, 1m30s, 500ms`);
  }
  if (ms < minMs) throw new FaultSpecError(`${where}: ${what} "${text}" is shorter than ${formatDuration(minMs)}`);
  return ms;
}

/** Checks a kind's DURATION rule and returns the spec. */
function spec(kind: FaultKind, at: string, duration: string | undefined, source: FaultSpec['source'], where: string): FaultSpec {
  const atMs = durationOf(at, 'OFFSET', where, 0);
  const info = FAULT_KIND_INFO[kind];
  if (info.duration === 'required' && duration === undefined) {
    throw new FaultSpecError(`${where}: ${kind} lasts a while: give its DURATION, e.g. ${kind}@${at}+10s`);
  }
  if (info.duration === 'none' && duration !== undefined) {
    throw new FaultSpecError(`${where}: ${kind} happens at one moment and takes no DURATION; write ${kind}@${at}`);
  }
  const durationMs = duration === undefined ? undefined : durationOf(duration, 'DURATION', where, 1000);
  return { kind, at, atMs, ...(duration !== undefined ? { duration, durationMs } : {}), source };
}

/** Parses `KIND@OFFSET[+DURATION]` (OFFSET from the runners' start). */
export function parseFaultSpec(text: string, source: FaultSpec['source'] = 'flag', where = '--fault'): FaultSpec {
  const match = /^\s*([a-z0-9-]+)@([^+\s]+)(?:\+(\S+))?\s*$/.exec(text);
  if (!match) {
    const kind = text.split('@')[0]!.trim();
    if (kind && !text.includes('@')) kindOf(kind, where); // an unknown kind is named first
    throw new FaultSpecError(`${where}: "${text}" is not KIND@OFFSET[+DURATION]; e.g. pg-replica-kill@10s or redis-node-pause@20s+10s`);
  }
  return spec(kindOf(match[1]!, where), match[2]!, match[3], source, `${where} ${text}`);
}

/**
 * A scenario's `options.ext.perflab.faults`: the same strings, or objects `{ kind, at, duration? }`
 * (k6 durations as strings).
 */
export function scenarioFaults(value: unknown, where = 'options.ext.perflab.faults'): FaultSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FaultSpecError(`${where}: must be a list, e.g. ['pg-replica-kill@10s']`);
  return value.map((item, i) => {
    const at = `${where}[${i}]`;
    if (typeof item === 'string') return parseFaultSpec(item, 'scenario', at);
    if (typeof item === 'object' && item !== null) {
      const o = item as Record<string, unknown>;
      const unknown = Object.keys(o).filter((k) => !['kind', 'at', 'duration'].includes(k));
      if (unknown.length) throw new FaultSpecError(`${at}: unknown field ${unknown.join(', ')}; a fault is { kind, at, duration? }`);
      if (typeof o.kind !== 'string' || typeof o.at !== 'string') throw new FaultSpecError(`${at}: kind and at must be strings, e.g. { kind: 'pg-replica-kill', at: '10s' }`);
      if (o.duration !== undefined && typeof o.duration !== 'string') throw new FaultSpecError(`${at}: duration must be a string such as '10s'`);
      return spec(kindOf(o.kind, at), o.at, o.duration as string | undefined, 'scenario', `${at} ${faultLabel({ kind: o.kind as FaultKind, at: o.at, ...(o.duration ? { duration: o.duration as string } : {}) })}`);
    }
    throw new FaultSpecError(`${at}: a fault is a string KIND@OFFSET[+DURATION] or { kind, at, duration? }`);
  });
}

/** Why this target cannot run the fault, or undefined. */
export function unsupportedProblem(f: FaultSpec, target: FaultTargetName): string | undefined {
  const support = FAULT_KIND_INFO[f.kind][target];
  return support.supported ? undefined : `${faultLabel(f)}: ${f.kind} is not supported on the ${target} target: ${support.why}`;
}

export interface FaultPlanContext {
  target: FaultTargetName;
  parallelism: number;
  /** the run's length as k6 says it (undefined: unknown, offsets are not checked against it). */
  runDurationMs: number | undefined;
  /** --base-url: the lab starts no target service of its own. */
  baseUrl: boolean;
}

/**
 * Every reason the faults cannot run as asked (empty: they can), before anything starts: a kind
 * the target does not support, an offset or a stall past the run's end, runner-kill with one
 * runner, target-restart with --base-url.
 */
export function faultPlanProblems(faults: readonly FaultSpec[], ctx: FaultPlanContext): string[] {
  const problems: string[] = [];
  for (const f of faults) {
    const label = faultLabel(f);
    const unsupported = unsupportedProblem(f, ctx.target);
    if (unsupported) {
      problems.push(unsupported);
      continue;
    }
    if (ctx.runDurationMs !== undefined) {
      const end = f.atMs + (f.durationMs ?? 0);
      if (f.atMs >= ctx.runDurationMs) {
        problems.push(`${label}: at ${f.at} is not within the run (${formatDuration(ctx.runDurationMs)}): inject it before the runners end`);
      } else if (end > ctx.runDurationMs) {
        problems.push(`${label}: it would still last at ${formatDuration(end)}, after the run ends (${formatDuration(ctx.runDurationMs)}); shorten it or the offset`);
      }
    }
    if (f.kind === 'runner-kill' && ctx.parallelism < 2) {
      problems.push(`${label}: with one runner there would be nothing left to judge; run with --parallelism 2 or more`);
    }
    if (f.kind === 'target-restart' && ctx.baseUrl) {
      problems.push(`${label}: with --base-url the lab runs no target service of its own to restart`);
    }
  }
  const runnerKills = faults.filter((f) => f.kind === 'runner-kill').length;
  if (runnerKills > 1) problems.push(`runner-kill: at most one per run (${runnerKills} given): the run is judged on the runners left`);
  return problems;
}
