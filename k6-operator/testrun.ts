// The k6-operator objects of one distributed run, as pure functions: the script ConfigMap that
// holds the bundle, and the TestRun (k6.io/v1alpha1, operator 1.6.0) that runs it on `parallelism`
// runners. The launcher (lab/cluster/launcher.ts) applies them; `--dry-run` prints them as YAML.

import { K6 } from '../lab/versions.ts';
import { isDnsLabel } from '../lab/cluster/dnsLabel.ts';
import { assertFitsConfigMap } from '../lab/scenarios/limits.ts';
import type { LoadProfile } from '../lab/scenarios/profiles.ts';
import { outputEnv, browserEnv, runArgs, scenarioEnv } from '../lab/k6/runnerContract.ts';

export const TESTRUN_API_VERSION = 'k6.io/v1alpha1';
export const TESTRUN_KIND = 'TestRun';
/** labels the operator puts on runner pods and jobs (it selects them with these). */
export const RUNNER_LABELS = (testRunName: string) => ({ app: 'k6', k6_cr: testRunName, runner: 'true' });
/** our own label on everything of one run, so a run's objects can be found and cleaned up. */
export const RUN_ID_LABEL = 'perflab.dev/run-id';
export const SCENARIO_LABEL = 'perflab.dev/scenario';

export interface EnvVar {
  name: string;
  value: string;
}
export interface ResourceRequirements {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}
export interface PodTemplate {
  image?: string;
  env?: EnvVar[];
  resources?: ResourceRequirements;
  nodeSelector?: Record<string, string>;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
}

export interface TestRun {
  apiVersion: typeof TESTRUN_API_VERSION;
  kind: typeof TESTRUN_KIND;
  metadata: ObjectMeta;
  spec: {
    parallelism: number;
    separate: boolean;
    script: { configMap: { name: string; file: string } };
    /** exact argv for `k6 run` (operator >= 1.6.0); the operator adds the script, segments and --paused. */
    args: string[];
    cleanup?: 'post';
    runner: PodTemplate;
    starter: PodTemplate;
    initializer: PodTemplate;
  };
}

export interface ScriptConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}

/**
 * Runner resources of a scenario with browser VUs: each Chromium takes about a core and 300 MB while
 * it loads a page, beside k6 itself.
 */
export const BROWSER_RUNNER_RESOURCES = {
  requests: { cpu: '1', memory: '1Gi' },
  limits: { cpu: '2', memory: '3Gi' },
} satisfies ResourceRequirements;

/** Runner resources when the caller gives none: enough for a few hundred VUs of HTTP per runner. */
export const DEFAULT_RUNNER_RESOURCES = {
  requests: { cpu: '500m', memory: '512Mi' },
  limits: { cpu: '2', memory: '2Gi' },
} satisfies ResourceRequirements;

export interface TestRunInput {
  /** the run id: the `testid` tag on every sample, and part of the object names. */
  runId: string;
  /** the scenario's name (registry name or derived from its file). */
  scenario: string;
  namespace: string;
  parallelism: number;
  /** the ConfigMap holding the bundle, and the bundle's key in it. */
  script: { configMap: string; file: string };
  /** Prometheus remote-write receiver, e.g. http://...:9090/api/v1/write. */
  remoteWriteUrl: string;
  /** the service under test, as the runners reach it. */
  baseUrl: string;
  profile: LoadProfile;
  vus?: number;
  duration?: string;
  /** node pool placement of runner, starter and initializer pods (nodeSelectorFor('load')). */
  nodeSelector?: Record<string, string>;
  /** spread runners over nodes (one per node). */
  separate?: boolean;
  resources?: ResourceRequirements;
  /** runner image (default: lab/versions.ts K6.image). */
  image?: string;
  /** delete jobs and pods when the run finishes (default: keep them, so exit codes can be read). */
  cleanupPost?: boolean;
  /** more env for the runners (secrets must come from Secrets, not here). */
  extraEnv?: EnvVar[];
  /** more k6 run arguments, appended after ours. */
  extraArgs?: string[];
  /** leave k6's system tags alone (the runner contract drops `url` otherwise). */
  keepSystemTags?: boolean;
}

/** the operator names jobs `<testrun>-initializer`, `<testrun>-starter`, `<testrun>-<n>`: keep room. */
export const MAX_TESTRUN_NAME = 50;

/** `<scenario>-<runId>`, trimmed to fit the names the operator derives from it. */
export function testRunName(scenario: string, runId: string): string {
  const room = MAX_TESTRUN_NAME - runId.length - 1;
  const head = scenario.slice(0, Math.max(1, room)).replace(/-+$/, '');
  return `${head}-${runId}`;
}

function validate(input: TestRunInput): void {
  const bad = (field: string, message: string): never => {
    throw new Error(`${field}: ${message}`);
  };
  if (!isDnsLabel(input.runId, 30)) {
    bad('runId', `"${input.runId}" must be lowercase letters, digits and '-', at most 30 characters (it names Kubernetes objects)`);
  }
  if (!isDnsLabel(input.scenario)) bad('scenario', `"${input.scenario}" must be a DNS-1123 label (lowercase, digits, '-')`);
  if (!isDnsLabel(input.namespace)) bad('namespace', `"${input.namespace}" is not a valid namespace name`);
  if (!isDnsLabel(input.script.configMap)) bad('script.configMap', `"${input.script.configMap}" is not a valid ConfigMap name`);
  if (!Number.isInteger(input.parallelism) || input.parallelism < 1) {
    bad('parallelism', `${input.parallelism} must be a whole number >= 1`);
  }
  for (const [field, url] of [['remoteWriteUrl', input.remoteWriteUrl], ['baseUrl', input.baseUrl]] as const) {
    if (!/^https?:\/\/[^\s/]+/.test(url)) bad(field, `"${url}" must be an http(s) URL`);
  }
}

/** The TestRun's runner env: the runner contract's output and scenario env, then the extras. */
function testRunEnv(input: TestRunInput): EnvVar[] {
  const contract = {
    ...outputEnv(input.remoteWriteUrl),
    ...browserEnv(input.baseUrl),
    ...scenarioEnv({ profile: input.profile, vus: input.vus, duration: input.duration }, input.baseUrl),
  };
  const env: EnvVar[] = Object.entries(contract).map(([name, value]) => ({ name, value }));
  for (const extra of input.extraEnv ?? []) {
    if (env.some((e) => e.name === extra.name)) throw new Error(`extraEnv: ${extra.name} is set by the lab; change it with its own option`);
    env.push(extra);
  }
  return env;
}

export function buildTestRun(input: TestRunInput): TestRun {
  validate(input);
  const name = testRunName(input.scenario, input.runId);
  const labels = { [RUN_ID_LABEL]: input.runId, [SCENARIO_LABEL]: input.scenario };
  const placement = input.nodeSelector && Object.keys(input.nodeSelector).length > 0 ? { nodeSelector: { ...input.nodeSelector } } : {};
  const image = input.image ?? K6.image;
  return {
    apiVersion: TESTRUN_API_VERSION,
    kind: TESTRUN_KIND,
    metadata: { name, namespace: input.namespace, labels },
    spec: {
      parallelism: input.parallelism,
      separate: input.separate ?? false,
      script: { configMap: { name: input.script.configMap, file: input.script.file } },
      args: [...runArgs(input.runId, { keepSystemTags: input.keepSystemTags ?? false }), ...(input.extraArgs ?? [])],
      ...(input.cleanupPost ? { cleanup: 'post' as const } : {}),
      runner: {
        image,
        env: testRunEnv(input),
        resources: input.resources ?? DEFAULT_RUNNER_RESOURCES,
        ...placement,
        metadata: { labels },
      },
      starter: { ...placement, metadata: { labels } },
      initializer: { image, ...placement, metadata: { labels } },
    },
  };
}

export interface ScriptConfigMapInput {
  name: string;
  namespace: string;
  /** the key the TestRun's script.file names, e.g. "load.js". */
  file: string;
  /** the bundle's text. */
  script: string;
  runId: string;
  scenario: string;
}

export function buildScriptConfigMap(input: ScriptConfigMapInput): ScriptConfigMap {
  if (!isDnsLabel(input.name)) throw new Error(`name: "${input.name}" is not a valid ConfigMap name`);
  if (!/^[-._a-zA-Z0-9]+$/.test(input.file)) throw new Error(`file: "${input.file}" is not a valid ConfigMap key`);
  assertFitsConfigMap(input.file, Buffer.byteLength(input.script, 'utf8'));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { [RUN_ID_LABEL]: input.runId, [SCENARIO_LABEL]: input.scenario },
    },
    data: { [input.file]: input.script },
  };
}

export interface RunObjects {
  configMap: ScriptConfigMap;
  testRun: TestRun;
}

/** ConfigMap + TestRun of one run, named alike (`<scenario>-<runId>`), the bundle under `<scenario>.js`. */
export function buildRunObjects(input: Omit<TestRunInput, 'script'> & { scriptText: string }): RunObjects {
  const { scriptText, ...rest } = input;
  const name = testRunName(input.scenario, input.runId);
  const file = `${input.scenario}.js`;
  const testRun = buildTestRun({ ...rest, script: { configMap: name, file } });
  const configMap = buildScriptConfigMap({
    name,
    namespace: input.namespace,
    file,
    script: scriptText,
    runId: input.runId,
    scenario: input.scenario,
  });
  return { configMap, testRun };
}
