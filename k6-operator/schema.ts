// Validates a TestRun against testrun.schema.json (the CRD fields perflab uses) with ajv, so a
// builder change that the operator would reject fails a test here rather than on a cluster.

import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';

const Ajv = AjvModule.default ?? AjvModule;
export const TESTRUN_SCHEMA: object = JSON.parse(readFileSync(new URL('./testrun.schema.json', import.meta.url), 'utf8'));

const validateFn = new Ajv({ allErrors: true, strict: true, validateFormats: false }).compile(TESTRUN_SCHEMA);

/** [] when valid, else one line per problem: `/spec/parallelism must be >= 1`. */
export function testRunSchemaErrors(testRun: unknown): string[] {
  if (validateFn(testRun)) return [];
  return (validateFn.errors ?? []).map((e) =>
    `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` (${JSON.stringify(e.params)})` : ''}`,
  );
}

export function assertValidTestRun(testRun: unknown): void {
  const errors = testRunSchemaErrors(testRun);
  if (errors.length > 0) throw new Error(`TestRun does not match the k6-operator CRD fields:\n  ${errors.join('\n  ')}`);
}
