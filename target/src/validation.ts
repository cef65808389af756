// Request validation: bodies are checked strictly (a number where a string is expected is a 400,
// not silently turned into "42"), while path and query strings, which are always text, are
// coerced to the declared types (limit=1000 -> 1000).

import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

export function useStrictBodyValidation(app: FastifyInstance): void {
  const bodies = new Ajv({ coerceTypes: false, useDefaults: true, allErrors: false, strict: false });
  const text = new Ajv({ coerceTypes: 'array', useDefaults: true, allErrors: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : text).compile(schema));
}

/** A calendar date as JSON carries it: YYYY-MM-DD that is a real day. */
export const DATE_SCHEMA = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
export function isRealDate(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value);
}
