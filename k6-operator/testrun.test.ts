import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { K6 } from '../lab/versions.ts';
import { LAB_SYSTEM_TAGS } from '../lab/k6/runnerContract.ts';
import { nodeSelectorFor } from '../lab/cluster/pools.ts';
import { CONFIGMAP_MAX_BYTES } from '../lab/scenarios/limits.ts';
import {
  DEFAULT_RUNNER_RESOURCES,
  MAX_TESTRUN_NAME,
  RUN_ID_LABEL,
  buildRunObjects,
  buildScriptConfigMap,
  buildTestRun,
  testRunName,
  type TestRunInput,
} from './testrun.ts';
import { testRunSchemaErrors } from './schema.ts';
import { renderYaml } from './yaml.ts';

const input: TestRunInput = {
  runId: 'r20261123-1412-ab12',
  scenario: 'soak',
  namespace: 'load',
  parallelism: 4,
  script: { configMap: 'soak-r20261123-1412-ab12', file: 'soak.js' },
  remoteWriteUrl: 'http://prometheus.monitoring.svc:9090/api/v1/write',
  baseUrl: 'http://target.app.svc:8080',
  profile: 'full',
  vus: 800,
  duration: '30m',
  nodeSelector: nodeSelectorFor('load'),
  separate: true,
};

const envOf = (env: { name: string; value: string }[] | undefined) => Object.fromEntries((env ?? []).map((e) => [e.name, e.value]));

test('TestRun kind, name, namespace and labels', () => {
  const tr = buildTestRun(input);
  assert.equal(tr.apiVersion, 'k6.io/v1alpha1');
  assert.equal(tr.kind, 'TestRun');
  assert.equal(tr.metadata.name, `soak-${input.runId}`);
  assert.equal(tr.metadata.namespace, 'load');
  assert.equal(tr.metadata.labels?.[RUN_ID_LABEL], input.runId);
});

test('parallelism, separate and the script ConfigMap', () => {
  const tr = buildTestRun(input);
  assert.equal(tr.spec.parallelism, 4);
  assert.equal(tr.spec.separate, true);
  assert.equal(buildTestRun({ ...input, separate: undefined }).spec.separate, false);
  assert.deepEqual(tr.spec.script, { configMap: { name: input.script.configMap, file: 'soak.js' } });
  assert.equal(tr.spec.cleanup, undefined, 'kept by default so the launcher can read exit codes');
  assert.equal(buildTestRun({ ...input, cleanupPost: true }).spec.cleanup, 'post');
});

test('args: remote-write output, the testid tag and no per-runner thresholds, as an exact argv list', () => {
  const tr = buildTestRun({ ...input, extraArgs: ['--summary-trend-stats', 'avg,p(95)'] });
  assert.deepEqual(tr.spec.args, ['-o', 'experimental-prometheus-rw', '--tag', `testid=${input.runId}`, '--system-tags', LAB_SYSTEM_TAGS.join(','), '--no-thresholds', '--summary-trend-stats', 'avg,p(95)']);
});

test('runner env: remote-write URL, native histograms, BASE_URL, PROFILE, VUS, DURATION', () => {
  const env = envOf(buildTestRun(input).spec.runner.env);
  assert.equal(env.K6_PROMETHEUS_RW_SERVER_URL, input.remoteWriteUrl);
  assert.equal(env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM, 'true');
  assert.equal(env.BASE_URL, input.baseUrl);
  assert.equal(env.PROFILE, 'full');
  assert.equal(env.VUS, '800');
  assert.equal(env.DURATION, '30m');
  const plain = envOf(buildTestRun({ ...input, vus: undefined, duration: undefined }).spec.runner.env);
  assert.equal('VUS' in plain || 'DURATION' in plain, false);
  assert.throws(() => buildTestRun({ ...input, extraEnv: [{ name: 'PROFILE', value: 'x' }] }), /extraEnv: PROFILE is set by the lab/);
});

test('runner image, resources and placement on the load pool (runner, starter, initializer)', () => {
  const tr = buildTestRun(input);
  assert.equal(tr.spec.runner.image, K6.image);
  assert.equal(buildTestRun({ ...input, image: 'example/k6:custom' }).spec.runner.image, 'example/k6:custom');
  assert.deepEqual(tr.spec.runner.resources, DEFAULT_RUNNER_RESOURCES);
  const resources = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } };
  assert.deepEqual(buildTestRun({ ...input, resources }).spec.runner.resources, resources);
  for (const pod of [tr.spec.runner, tr.spec.starter, tr.spec.initializer]) assert.deepEqual(pod.nodeSelector, nodeSelectorFor('load'));
  assert.equal(buildTestRun({ ...input, nodeSelector: {} }).spec.runner.nodeSelector, undefined, 'placement off: no selector');
});

test('parallelism below 1 is refused naming the field (the runners-vs-VUs check is the runner contract\'s)', () => {
  assert.throws(() => buildTestRun({ ...input, parallelism: 0 }), /parallelism: 0 must be a whole number >= 1/);
});

test('bad names and URLs are refused naming the field', () => {
  assert.throws(() => buildTestRun({ ...input, runId: 'Run_1' }), /runId: "Run_1" must be lowercase/);
  assert.throws(() => buildTestRun({ ...input, namespace: 'Load' }), /namespace: "Load"/);
  assert.throws(() => buildTestRun({ ...input, baseUrl: 'target:8080' }), /baseUrl: "target:8080" must be an http\(s\) URL/);
});

test('names leave room for the jobs the operator derives (<name>-initializer)', () => {
  const name = testRunName('a-very-long-scenario-name-written-by-a-user-somewhere', 'r20261123-141200-abcdef');
  assert.ok(name.length <= MAX_TESTRUN_NAME && `${name}-initializer`.length <= 63, name);
  assert.ok(name.endsWith('-r20261123-141200-abcdef'));
});

test('the TestRun validates against the schema of the CRD fields we use; wrong shapes do not', () => {
  assert.deepEqual(testRunSchemaErrors(buildTestRun(input)), []);
  assert.deepEqual(testRunSchemaErrors(buildTestRun({ ...input, nodeSelector: undefined, cleanupPost: true })), []);
  const good = buildTestRun(input);
  const broken = [
    { ...good, apiVersion: 'k6.io/v1' },
    { ...good, spec: { ...good.spec, parallelism: 0 } },
    { ...good, spec: { ...good.spec, args: '-o experimental-prometheus-rw' } },
    { ...good, spec: { ...good.spec, script: { configMap: { name: 'x' } } } },
    { ...good, spec: { ...good.spec, paralelism: 2 } },
    { ...good, spec: { ...good.spec, runner: { ...good.spec.runner, env: [{ name: 'A', value: 1 }] } } },
    { ...good, spec: { ...good.spec, runner: { ...good.spec.runner, resources: { limits: { memory: 'lots' } } } } },
  ];
  for (const bad of broken) assert.notDeepEqual(testRunSchemaErrors(bad), [], JSON.stringify(bad.spec).slice(0, 80));
  assert.match(testRunSchemaErrors(broken[4])[0]!, /^\/spec must NOT have additional properties.*paralelism/);
});

test('the script ConfigMap holds the bundle under the file the TestRun names, and refuses > 1 MiB', () => {
  const { configMap, testRun } = buildRunObjects({ ...input, scriptText: 'export default function () {}\n' });
  assert.equal(configMap.metadata.name, testRun.spec.script.configMap.name);
  assert.deepEqual(Object.keys(configMap.data), [testRun.spec.script.configMap.file]);
  assert.equal(configMap.data['soak.js'], 'export default function () {}\n');
  assert.equal(configMap.metadata.namespace, testRun.metadata.namespace);
  assert.throws(
    () => buildScriptConfigMap({ name: 'big', namespace: 'load', file: 'big.js', script: 'é'.repeat(CONFIGMAP_MAX_BYTES / 2 + 1), runId: 'r1', scenario: 'big' }),
    /big\.js bundles to 1048578 bytes/,
  );
});

test('--dry-run YAML is the ConfigMap then the TestRun, and reads back to the same objects', () => {
  const objects = buildRunObjects({ ...input, scriptText: 'export default function () {}\n' });
  const text = renderYaml([objects.configMap, objects.testRun]);
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  assert.deepEqual(docs, [objects.configMap, objects.testRun]);
  assert.match(text, /^apiVersion: v1\nkind: ConfigMap/);
  assert.doesNotMatch(text, /[&*]a\d/, 'no YAML anchors/aliases: plain manifests for review and GitOps');
});
