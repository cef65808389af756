// The production capacity plan (pure): from what one request cost at the sustainable point (CPU
// seconds of the target, Postgres and Redis, memory of a target process), what a production load
// needs with headroom, on the lab config's node size, and what one transaction then costs.
//
//   cores(component) = productionRps x cpuSecondsPerRequest(component) / (1 - headroom)
//   target replicas  = ceil(target cores / cores one replica may use), at least 2
//   memory           = replicas x peak RSS of one process / (1 - headroom)
//   Redis shards     = max(the lab's shards, ceil(Redis cores)), as a primary runs on one thread
//   nodes            = ceil(all cores / node CPU) or ceil(all memory / node memory), the larger
//   cost/transaction = nodes x nodeHourUsd / (productionRps x 3600)
//
// The cost per request is taken over the windows near the sustainable point (at least 80 % of its
// throughput, every SLA held): there the service was busy but not yet queueing.

import type { CurveAssessment } from './curve.ts';
import { present, type Column, type Timeline } from '../timeline/timeline.ts';
import { COST_PER_TRANSACTION_USD_MAX, COST_SOURCE, type CapacityConfig } from './settings.ts';

export interface PlanInput {
  timeline: Timeline;
  curve: CurveAssessment;
  config: CapacityConfig;
  /** CPU cores one target replica may use (its limit; at most 1 for Node's JavaScript thread). */
  replicaCpuCores: number;
  /** the lab's Redis shards (the plan never shrinks below them). */
  redisShards: number;
  /** one node of the lab config's size. */
  node: { cpuCores: number; memoryMb: number; pool: string };
  /** --plan-for-rps / --plan-for-users (they override the config). */
  planForRps?: number;
  planForUsers?: number;
}

export interface PerRequestCost {
  targetCpuSeconds: number | null;
  pgCpuSeconds: number | null;
  redisCpuSeconds: number | null;
  redisCommands: number | null;
  /** the peak resident memory of one target process over the run, MB. */
  targetProcessRssMb: number | null;
  /** requests per second per VU at the sustainable point (turns users into load). */
  rpsPerVu: number | null;
  /** the windows the averages stand on. */
  windows: number;
}

export interface CapacityPlan {
  /** the load planned for, and where that number came from. */
  productionRps: number;
  basis: string;
  headroom: number;
  perRequest: PerRequestCost;
  targetCores: number | null;
  targetReplicas: number | null;
  targetMemoryMb: number | null;
  pgCores: number | null;
  redisCores: number | null;
  redisShards: number | null;
  redisCommandsPerS: number | null;
  nodes: number | null;
  node: PlanInput['node'];
  /** what was not measured and so is not in the plan. */
  notes: string[];
}

export interface CostAssessment {
  costPerTransactionUsd: number | null;
  /** why it is null, or how it was computed; judged against the release criterion. */
  detail: string;
  status: 'pass' | 'fail' | 'not-computed';
  maxUsd: number;
  source: string;
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

export function perRequestCost(timeline: Timeline, curve: CurveAssessment): PerRequestCost {
  const best = curve.maxSustainableRps;
  const r = timeline.resources;
  const near = best === null ? [] : curve.curve.map((p, i) => ({ p, i }))
    .filter(({ p }) => p.rps !== null && p.rps >= 0.8 * best && p.failed.length === 0)
    .map(({ i }) => i);
  const perRps = (c: Column | undefined) => mean(near.flatMap((i) => {
    const v = c?.[i];
    const rps = timeline.rps[i];
    return v !== null && v !== undefined && rps ? [v / rps] : [];
  }));
  const rss = present(r.targetRssMb);
  return {
    targetCpuSeconds: perRps(r.targetCpuCores),
    pgCpuSeconds: perRps(r.pgCpuCores),
    redisCpuSeconds: perRps(r.redisCpuCores),
    redisCommands: perRps(r.redisOpsPerS),
    targetProcessRssMb: rss.length ? Math.max(...rss) : null,
    rpsPerVu: mean(near.flatMap((i) => (timeline.vus[i] ? [timeline.rps[i]! / timeline.vus[i]!] : []))),
    windows: near.length,
  };
}

export function capacityPlan(input: PlanInput): CapacityPlan | null {
  const { config, curve } = input;
  const perRequest = perRequestCost(input.timeline, curve);
  let productionRps: number | undefined;
  let basis: string;
  const users = input.planForUsers ?? config.productionUsers;
  if (input.planForRps !== undefined) {
    productionRps = input.planForRps;
    basis = `--plan-for-rps ${input.planForRps}`;
  } else if (input.planForUsers !== undefined || (config.productionRps === undefined && users !== undefined)) {
    if (perRequest.rpsPerVu === null) return null;
    productionRps = users! * perRequest.rpsPerVu;
    basis = `${users} concurrent users x ${perRequest.rpsPerVu.toFixed(2)} req/s per VU measured at the sustainable point (${input.planForUsers !== undefined ? '--plan-for-users' : 'capacity.productionUsers'})`;
  } else if (config.productionRps !== undefined) {
    productionRps = config.productionRps;
    basis = 'capacity.productionRps of the lab config';
  } else {
    if (curve.maxSustainableRps === null) return null;
    productionRps = curve.maxSustainableRps;
    basis = 'the measured sustainable throughput (no --plan-for-rps, --plan-for-users or capacity.productionRps given)';
  }
  const h = config.headroom;
  const usersNote = basis.includes('concurrent users')
    ? ['users become load through the req/s per VU measured here: right for a closed-model scenario (ramping VUs with think time: stress, spike, load, soak), where a VU is a user; an arrival-rate scenario\'s VUs (breakpoint) are workers, not users: plan it with --plan-for-rps']
    : [];
  const cores = (perReq: number | null) => (perReq === null ? null : (productionRps! * perReq) / (1 - h));
  const notes: string[] = [...usersNote];
  const targetCores = cores(perRequest.targetCpuSeconds);
  const targetReplicas = targetCores === null ? null : Math.max(2, Math.ceil(targetCores / input.replicaCpuCores));
  const targetMemoryMb = targetReplicas === null || perRequest.targetProcessRssMb === null ? null : (targetReplicas * perRequest.targetProcessRssMb) / (1 - h);
  const pgCores = cores(perRequest.pgCpuSeconds);
  if (pgCores === null) notes.push('Postgres CPU was not measured on this target: size Postgres from a cluster run (cAdvisor), or keep the lab config\'s');
  const redisCores = cores(perRequest.redisCpuSeconds);
  const redisShards = redisCores === null ? null : Math.max(input.redisShards, Math.ceil(redisCores));
  if (targetCores === null) notes.push('the target\'s CPU was not measured: no replica count');
  const allCores = (targetCores ?? 0) + (pgCores ?? 0) + (redisCores ?? 0);
  const allMemoryMb = targetMemoryMb ?? 0;
  const nodes = targetCores === null ? null : Math.max(1, Math.ceil(allCores / input.node.cpuCores), Math.ceil(allMemoryMb / input.node.memoryMb));
  return {
    productionRps, basis, headroom: h, perRequest,
    targetCores, targetReplicas, targetMemoryMb, pgCores, redisCores, redisShards,
    redisCommandsPerS: perRequest.redisCommands === null ? null : productionRps * perRequest.redisCommands,
    nodes, node: input.node, notes,
  };
}

export function costPerTransaction(plan: CapacityPlan | null, config: CapacityConfig): CostAssessment {
  const base = { maxUsd: COST_PER_TRANSACTION_USD_MAX, source: COST_SOURCE };
  if (config.nodeHourUsd === undefined) {
    return { ...base, costPerTransactionUsd: null, status: 'not-computed', detail: 'not computed: capacity.nodeHourUsd is not set in the lab config (there is no default price: a made-up one would make the figure a fiction)' };
  }
  if (!plan || plan.nodes === null) return { ...base, costPerTransactionUsd: null, status: 'not-computed', detail: 'not computed: no capacity plan (nothing sustainable was measured)' };
  const usd = (plan.nodes * config.nodeHourUsd) / (plan.productionRps * 3600);
  return {
    ...base,
    costPerTransactionUsd: usd,
    status: usd < COST_PER_TRANSACTION_USD_MAX ? 'pass' : 'fail',
    detail: `${plan.nodes} node(s) x $${config.nodeHourUsd}/h / (${plan.productionRps.toFixed(1)} req/s x 3600 s) = $${usd.toPrecision(3)} per request`,
  };
}
