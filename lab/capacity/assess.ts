// The scalability assessment and capacity plan of one run (pure): the load curve, the maximum
// sustainable throughput, the first SLA to break, the bottleneck with its evidence, whether the
// load generator itself saturated (then the result is invalid), the production plan and the cost
// per transaction. Which runs get one: breakpoint, stress and spike, or any with --assess-capacity.

import type { Sla } from '../sla/catalogue.ts';
import type { LabConfig } from '../config/types.ts';
import { cpuMillis, memoryBytes } from '../config/quantity.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { loadCurve, type CurvePoint, type FirstBreach } from './curve.ts';
import { findBottleneck, type LoadGeneratorCheck, type ResourceLimits, type Saturation } from './bottleneck.ts';
import { capacityPlan, costPerTransaction, type CapacityPlan, type CostAssessment } from './plan.ts';
import { CAPACITY_DEFAULTS, LOCAL_PROCESS_CPU_CORES } from './settings.ts';
import { DEFAULT_RUNNER_RESOURCES } from '../../k6-operator/testrun.ts';

/** The scenarios whose runs are capacity runs without --assess-capacity. */
export const CAPACITY_SCENARIOS = ['breakpoint', 'stress', 'spike'] as const;

export interface CapacityAssessment {
  windowS: number;
  curve: CurvePoint[];
  maxSustainableRps: number | null;
  maxSustainableVus: number | null;
  maxSustainableAtSeconds: number | null;
  firstBreach: FirstBreach | null;
  bottleneck: { resource: string; title: string; evidence: string } | null;
  saturations: Saturation[];
  loadGenerator: LoadGeneratorCheck;
  notMeasured: string[];
  /** false when the load generator saturated: the figures are k6's limits, not the service's. */
  valid: boolean;
  plan: CapacityPlan | null;
  costPerTransactionUsd: number | null;
  cost: CostAssessment;
}

export interface AssessInput {
  timeline: Timeline;
  slas: readonly Sla[];
  runStartMs: number;
  target: 'local' | 'cluster';
  /** the lab config (capacity settings, node size, the target's limits); undefined: the defaults. */
  config?: Pick<LabConfig, 'capacity' | 'cluster' | 'target' | 'postgres' | 'redis'>;
  /** the scenario's maximum VUs (k6 inspect). */
  maxVUs?: number;
  planForRps?: number;
  planForUsers?: number;
}

const MiB = 2 ** 20;

export function resourceLimits(input: AssessInput): ResourceLimits {
  const c = input.config;
  if (input.target === 'local' || !c) {
    return { targetProcessCpuCores: LOCAL_PROCESS_CPU_CORES, targetProcesses: 1, local: true, ...(input.maxVUs ? { maxVUs: input.maxVUs } : {}) };
  }
  const cpu = (q: string) => (cpuMillis(q) ?? 1000) / 1000;
  return {
    targetProcessCpuCores: Math.min(LOCAL_PROCESS_CPU_CORES, cpu(c.target.resources.limits.cpu)),
    targetMemoryMb: (memoryBytes(c.target.resources.limits.memory) ?? 0) / MiB,
    targetProcesses: c.target.replicas,
    pgCpuCores: c.postgres.instances * cpu(c.postgres.resources.limits.cpu),
    // the TestRun's runners, as k6-operator/testrun.ts gives them when the scenario has no browser
    runnerCpuCores: cpu(DEFAULT_RUNNER_RESOURCES.limits.cpu),
    local: false,
    ...(input.maxVUs ? { maxVUs: input.maxVUs } : {}),
  };
}

export function assessCapacity(input: AssessInput): CapacityAssessment {
  const curve = loadCurve(input.timeline, input.slas, input.runStartMs);
  const limits = resourceLimits(input);
  const found = findBottleneck(input.timeline, limits, input.runStartMs);
  const config = { ...CAPACITY_DEFAULTS, ...input.config?.capacity };
  const valid = !found.loadGenerator.saturated;
  const pool = 'app';
  const nodeSize = input.config?.cluster.nodes[pool];
  const plan = valid
    ? capacityPlan({
      timeline: input.timeline, curve, config,
      replicaCpuCores: limits.targetProcessCpuCores,
      redisShards: input.config?.redis.shards ?? 3,
      node: {
        pool,
        cpuCores: nodeSize ? (cpuMillis(nodeSize.cpu) ?? 4000) / 1000 : 4,
        memoryMb: nodeSize ? (memoryBytes(nodeSize.memory) ?? 16 * 2 ** 30) / MiB : 16 * 1024,
      },
      ...(input.planForRps !== undefined ? { planForRps: input.planForRps } : {}),
      ...(input.planForUsers !== undefined ? { planForUsers: input.planForUsers } : {}),
    })
    : null;
  const cost = costPerTransaction(plan, config);
  // a resource that saturated only after the first breach did not cause it: say so
  const first = found.saturations[0];
  const bottleneck = found.bottleneck && first && curve.firstBreach && first.atSeconds > curve.firstBreach.atSeconds
    ? { ...found.bottleneck, evidence: `${found.bottleneck.evidence}; after the first breach (${curve.firstBreach.sla} at ${curve.firstBreach.atSeconds} s): no resource reached its level before it` }
    : found.bottleneck;
  return {
    windowS: input.timeline.windowS,
    ...curve,
    bottleneck,
    saturations: found.saturations,
    loadGenerator: found.loadGenerator,
    notMeasured: found.notMeasured,
    valid,
    plan,
    costPerTransactionUsd: cost.costPerTransactionUsd,
    cost,
  };
}
