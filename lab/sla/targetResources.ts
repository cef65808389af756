// What one process of the service under test is given — the CPU and memory its "at peak" SLAs
// (target_cpu_peak, target_memory_limit_peak: guidelines §1.1 "CPU Utilization: < 70% at peak",
// "Memory Usage: < 80% at peak") are shares of — and how often Prometheus scrapes it. Pure.
//
// - cluster: each pod's resources.limits, as the lab config gives the chart (`target.resources.limits`,
//   default 1 CPU, 256Mi); the scrape interval is the config's monitoring.scrapeInterval.
// - local: the target is one Node process, given one core (a Node process runs its JavaScript on
//   one thread: LOCAL_PROCESS_CPU_CORES, as the capacity assessment counts it, and never more than
//   the pod's CPU limit) and the memory of one target pod (the same `target.resources.limits.memory`).
//   Nothing enforces them on this machine (no cgroup is set up for the process): the shares say how
//   the process would sit in a pod of the lab's size, and a share over 100 % is a pod that would be
//   throttled or OOM-killed. The local lab scrapes every second.

import { cpuMillis, memoryBytes } from '../config/quantity.ts';
import { profileDefaults } from '../config/profiles.ts';
import type { LabConfig } from '../config/types.ts';
import { parseDuration } from '../scenarios/profiles.ts';
import { LOCAL_PROCESS_CPU_CORES } from '../capacity/settings.ts';
import type { TargetResources } from './promql.ts';

/** The local lab's Prometheus scrapes every target every second (lab/local/prometheus.ts DEFAULT_SCRAPE_INTERVAL). */
export const LOCAL_SCRAPE_INTERVAL_S = 1;

type TargetConfig = Pick<LabConfig, 'target' | 'monitoring'>;

/** What a target process is given, on this target, from the lab config (default: the kind profile's defaults). */
export function targetResourcesFor(target: 'local' | 'cluster', config: TargetConfig = profileDefaults('kind')): TargetResources {
  const limits = config.target.resources.limits;
  const cores = (cpuMillis(limits.cpu) ?? 1000) / 1000;
  const bytes = memoryBytes(limits.memory);
  if (bytes === undefined) throw new Error(`target.resources.limits.memory: "${limits.memory}" is not a quantity`);
  if (target === 'cluster') {
    return {
      cpuCores: cores,
      memoryBytes: bytes,
      scrapeIntervalS: parseDuration(config.monitoring.scrapeInterval, 'monitoring.scrapeInterval') / 1000,
      source: `each target pod's limits (lab config target.resources.limits: ${limits.cpu} CPU, ${limits.memory})`,
    };
  }
  const localCores = Math.min(LOCAL_PROCESS_CPU_CORES, cores);
  return {
    cpuCores: localCores,
    memoryBytes: bytes,
    scrapeIntervalS: LOCAL_SCRAPE_INTERVAL_S,
    source: `the local target process: ${localCores} core (Node runs its JavaScript on one thread) and one pod's memory ` +
      `(lab config target.resources.limits.memory, ${limits.memory}); not enforced on this machine`,
  };
}
