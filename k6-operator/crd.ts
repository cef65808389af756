// The k6-operator's TestRun CRD, for tests that run TestRuns against a real API server (the sim
// cluster): k6-operator/crd/k6.io_testruns.yaml is upstream's config/crd/bases/k6.io_testruns.yaml
// of github.com/grafana/k6-operator at tag v1.6.0 — the operator the pinned chart (grafana/k6-operator
// 4.6.0, lab/versions.ts) installs — byte for byte (Apache-2.0; its sha256 is checked by a test).
// The chart's templates/crds/testrun.yaml at that tag is the same document with Helm's labels.
//
// It is committed rather than fetched because no registry this project may use serves it: the Go
// module proxy answers 403 for github.com/grafana/k6-operator (every version, and the version list),
// and neither npm nor PyPI carries it. To move the pin: take the file at the new tag, update the
// fields below and the chart pin together.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const TESTRUN_CRD = {
  /** the committed file */
  path: fileURLToPath(new URL('./crd/k6.io_testruns.yaml', import.meta.url)),
  source: {
    repository: 'github.com/grafana/k6-operator',
    tag: 'v1.6.0',
    commit: 'cf0ae21f4e26b0dd0f99d763ae72e063b4384f2a',
    file: 'config/crd/bases/k6.io_testruns.yaml',
  },
  sha256: 'd4df597bb94d210bcb9368dd4faf81da25c08194e240da98e4df8887563be185',
} as const;

/** sha256 of the committed file, hex. */
export function testRunCrdSha256(): string {
  return createHash('sha256').update(readFileSync(TESTRUN_CRD.path)).digest('hex');
}

/** The CRD as an object (apiextensions.k8s.io/v1 CustomResourceDefinition). */
export function testRunCrd(): { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, any> } {
  return YAML.parse(readFileSync(TESTRUN_CRD.path, 'utf8'));
}
