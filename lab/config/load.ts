// Loads the lab config from the environment: LAB_PROFILE picks the profile (kind by default),
// LAB_CONFIG (or an explicit path) names a JSON or YAML file of overrides.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { resolveLabConfig } from './resolve.ts';
import type { LabConfig } from './types.ts';
import { LabConfigError } from './validate.ts';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** config file; defaults to $LAB_CONFIG. */
  file?: string;
}

export function loadLabConfig({ env = process.env, file = env.LAB_CONFIG }: LoadOptions = {}): LabConfig {
  let overrides: unknown;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new LabConfigError([{ path: 'LAB_CONFIG', message: `cannot read ${file}: ${(error as Error).message}` }]);
    }
    try {
      overrides = parse(text) ?? {};
    } catch (error) {
      throw new LabConfigError([{ path: '(file)', message: `is not valid JSON or YAML: ${(error as Error).message}` }], file);
    }
  }
  return resolveLabConfig({ profile: env.LAB_PROFILE || undefined, overrides, source: file });
}
