// Scenario names -> files. A name from this registry, or the path of any .ts/.js scenario file
// (the user's own, anywhere), resolves to the file the build type-checks and bundles.

import { existsSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';

export const SCENARIOS_DIR = join(PROJECT_ROOT, 'scenarios');
/** the scenario library, imported by scenarios as `perflab`. */
export const SCENARIO_LIBRARY = join(SCENARIOS_DIR, 'lib', 'index.ts');
/** `k6/http` as every bundle sees it: unnamed requests named by their grouped URL (bundle.ts). */
export const GROUPED_HTTP = join(SCENARIOS_DIR, 'lib', 'groupedHttp.ts');
/** where bundles go by default (build/scenarios/<name>.js). */
export const BUILD_DIR = join(PROJECT_ROOT, 'build', 'scenarios');

export const SCENARIO_REGISTRY = {
  load: { file: 'load.ts', title: 'Load: normal day plus peak hours (guidelines §2.1)' },
  stress: { file: 'stress.ts', title: 'Stress: ramp to the breaking point, then recovery (§2.2)' },
  spike: { file: 'spike.ts', title: 'Spike: sudden surge to 10 000 users on a cached endpoint (§2.3)' },
  soak: { file: 'soak.ts', title: 'Soak: 5000 users for 8 hours on the dashboard (§2.4)' },
  volume: { file: 'volume.ts', title: 'Volume: large history, bulk enrolment, large report (§2.5)' },
  api: { file: 'api.ts', title: "API: the request's OAuth login, mobile API and content API scenarios" },
  realtime: { file: 'realtime.ts', title: 'Real-time: WebSocket classrooms and SSE dashboards, delivery latency' },
  upload: { file: 'upload.ts', title: 'Upload: 1 MB and 10 MB multipart files' },
  breakpoint: { file: 'breakpoint.ts', title: 'Breakpoint: arrival rate rising until an SLA breaks (capacity)' },
  journeys: { file: 'criticalJourneys.ts', title: 'Critical journeys: morning login surge, career selection rush, parent evening (§3.1), with browser VUs' },
  browser: { file: 'browser.ts', title: 'Browser: the student journey in Chromium — Web Vitals, TTI, time to career selection, the performance budget (§1.2)' },
} as const;
export type ScenarioName = keyof typeof SCENARIO_REGISTRY;
export const SCENARIO_NAMES = Object.keys(SCENARIO_REGISTRY) as ScenarioName[];

export interface ResolvedScenario {
  /** a Kubernetes-safe name: the registry name, or derived from the file name. */
  name: string;
  /** absolute path of the scenario source. */
  file: string;
  /** true when it came from the registry. */
  registered: boolean;
}

const isRegistered = (name: string): name is ScenarioName => Object.hasOwn(SCENARIO_REGISTRY, name);

/** A file name as a DNS-1123 label (what ConfigMap and TestRun names must be): "My Test.ts" -> "my-test". */
export function scenarioNameOf(file: string): string {
  const stem = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return stem || 'scenario';
}

/** A registry name, or a path (relative to `cwd`) to a .ts or .js scenario file. */
export function resolveScenario(nameOrPath: string, cwd: string = process.cwd()): ResolvedScenario {
  if (isRegistered(nameOrPath)) {
    return { name: nameOrPath, file: join(SCENARIOS_DIR, SCENARIO_REGISTRY[nameOrPath].file), registered: true };
  }
  const file = resolve(cwd, nameOrPath);
  const ext = extname(file);
  if (existsSync(file) && statSync(file).isFile()) {
    if (ext !== '.ts' && ext !== '.js') {
      throw new Error(`scenario: "${nameOrPath}" is a ${ext || 'extension-less'} file; a scenario is a .ts or .js k6 script`);
    }
    return { name: scenarioNameOf(file), file, registered: false };
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new Error(`scenario: "${nameOrPath}" is a folder, not a scenario; give the path of one .ts or .js k6 script, or a name: ${SCENARIO_NAMES.join(', ')}`);
  }
  throw new Error(
    `scenario: "${nameOrPath}" is neither a scenario name nor an existing file; names: ${SCENARIO_NAMES.join(', ')}; ` +
      `or give the path of a .ts/.js k6 script`,
  );
}
