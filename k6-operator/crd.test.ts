// The test CRD is made from the lab's own TestRun schema: the operator's group, version, kind and
// status subresource, and every field the builder writes (the sim launcher tests apply it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestRun, TESTRUN_API_VERSION } from './testrun.ts';
import { testRunCrd } from './crd.ts';

test('the CRD serves k6.io/v1alpha1 TestRun with a status subresource, its schema structural (a type everywhere, no $ref, no const)', () => {
  const crd = testRunCrd();
  assert.equal(crd.metadata.name, 'testruns.k6.io');
  const [version] = crd.spec.versions;
  assert.equal(`${crd.spec.group}/${version.name}`, TESTRUN_API_VERSION);
  assert.equal(crd.spec.names.kind, 'TestRun');
  assert.deepEqual(version.subresources, { status: {} });
  const walk = (node: Record<string, unknown>, path: string): void => {
    assert.ok(typeof node.type === 'string' || node['x-kubernetes-preserve-unknown-fields'] === true, `${path}: no type`);
    for (const bad of ['$ref', 'const', '$schema']) assert.equal(bad in node, false, `${path}: ${bad}`);
    assert.notEqual(node.additionalProperties, false, `${path}: additionalProperties false`);
    for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(v, `${path}.${k}`);
    if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as Record<string, unknown>, `${path}{}`);
  };
  walk(version.schema.openAPIV3Schema, 'TestRun');
});

test('every field the builder writes is in the CRD\'s schema', () => {
  const spec = testRunCrd().spec.versions[0].schema.openAPIV3Schema.properties.spec;
  const built = buildTestRun({
    runId: 'r1', scenario: 'soak', namespace: 'load', parallelism: 2, script: { configMap: 'soak-r1', file: 'soak.js' },
    remoteWriteUrl: 'http://p:9090/api/v1/write', baseUrl: 'http://t', profile: 'smoke', nodeSelector: { 'perflab.dev/pool': 'load' }, cleanupPost: true,
  });
  const missing: string[] = [];
  const check = (value: unknown, schema: Record<string, any>, path: string): void => {
    if (!schema) return void missing.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => check(v, schema.items, `${path}[${i}]`));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) check(v, schema.properties?.[k] ?? schema.additionalProperties, `${path}.${k}`);
    }
  };
  check(built.spec, spec, 'spec');
  assert.deepEqual(missing, []);
  assert.deepEqual(spec.properties.cleanup, { type: 'string', enum: ['post'] });
});
