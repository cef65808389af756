// A TestRun CRD for tests that run TestRuns against a real API server (the sim cluster), made from
// the lab's own schema of the TestRun fields it uses (k6-operator/testrun.schema.json): the group,
// version, kind and status subresource of k6-operator 1.6.0's `testruns.k6.io`, and a structural
// OpenAPI schema converted from ours. Upstream's CRD (k6-operator's config/crd/bases, installed by
// its chart) is served by no registry this project may use — the Go module proxy refuses
// github.com/grafana/k6-operator — and fetched sources are never committed; so the API server here
// checks our TestRuns against what we believe the operator reads, field by field, not against
// upstream's full pod templates. What the operator itself defaults (paused, quiet) is not here.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { TESTRUN_API_VERSION, TESTRUN_KIND } from './testrun.ts';

const SCHEMA = fileURLToPath(new URL('./testrun.schema.json', import.meta.url));

type JsonSchema = Record<string, unknown>;

/** JSON Schema (draft-07, as ours is written) -> a Kubernetes structural schema node. */
function structural(node: JsonSchema, definitions: Record<string, JsonSchema>): JsonSchema {
  if (typeof node.$ref === 'string') return structural(definitions[node.$ref.replace('#/definitions/', '')]!, definitions);
  const out: JsonSchema = {};
  if ('const' in node) return { type: typeof node.const, enum: [node.const] };
  if (node.enum) {
    out.type = typeof (node.enum as unknown[])[0];
    out.enum = node.enum;
  }
  for (const key of ['type', 'description', 'pattern', 'maxLength', 'minLength', 'minimum', 'maximum', 'required', 'minItems', 'maxItems']) {
    if (key in node) out[key] = node[key];
  }
  if (node.properties) {
    out.type ??= 'object';
    out.properties = Object.fromEntries(Object.entries(node.properties as Record<string, JsonSchema>).map(([k, v]) => [k, structural(v, definitions)]));
  }
  // a map (string values); `additionalProperties: false` has no place in a CRD: unknown fields are
  // pruned, and a server-side apply with strict validation refuses them
  if (typeof node.additionalProperties === 'object') out.additionalProperties = structural(node.additionalProperties as JsonSchema, definitions);
  if (node.items) out.items = structural(node.items as JsonSchema, definitions);
  return out;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: Record<string, any>;
}

export function testRunCrd(): CustomResourceDefinition {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as JsonSchema & { properties: { spec: JsonSchema }; definitions: Record<string, JsonSchema> };
  const [group, version] = TESTRUN_API_VERSION.split('/') as [string, string];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `testruns.${group}` },
    spec: {
      group,
      names: { kind: TESTRUN_KIND, listKind: `${TESTRUN_KIND}List`, plural: 'testruns', singular: 'testrun' },
      scope: 'Namespaced',
      versions: [{
        name: version,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: structural(schema.properties.spec, schema.definitions),
              // the operator's (stage, conditions): written by whatever plays it
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      }],
    },
  };
}

/** The CRD written as YAML into `dir` (for kubectl apply); returns its path. */
export function writeTestRunCrd(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'testruns.k6.io.yaml');
  writeFileSync(file, YAML.stringify(testRunCrd()));
  return file;
}
