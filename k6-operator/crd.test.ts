// The committed TestRun CRD is upstream's v1.6.0 file, unchanged, and the one our builder targets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { K6_OPERATOR_CHART } from '../lab/versions.ts';
import { TESTRUN_API_VERSION } from './testrun.ts';
import { TESTRUN_CRD, testRunCrd, testRunCrdSha256 } from './crd.ts';

test('the TestRun CRD file is k6-operator v1.6.0\'s, byte for byte, and serves k6.io/v1alpha1 TestRun with a status subresource', () => {
  assert.equal(testRunCrdSha256(), TESTRUN_CRD.sha256);
  // chart 4.6.0 is operator 1.6.0: move both pins together
  assert.equal(K6_OPERATOR_CHART.version, '4.6.0');
  assert.equal(TESTRUN_CRD.source.tag, 'v1.6.0');
  const crd = testRunCrd();
  assert.equal(crd.metadata.name, 'testruns.k6.io');
  assert.equal(`${crd.spec.group}/${crd.spec.versions[0].name}`, TESTRUN_API_VERSION);
  assert.equal(crd.spec.names.kind, 'TestRun');
  assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
  // the fields the builder writes exist in the CRD's schema (the sim test applies them with strict validation)
  const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
  for (const field of ['parallelism', 'separate', 'script', 'args', 'cleanup', 'runner', 'starter', 'initializer']) assert.ok(spec[field], field);
});
