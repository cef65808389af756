// Loads the lab config from the environment: LAB_PROFILE picks the profile (kind by default),
// LAB_CONFIG (or an explicit path) names a JSON or YAML file of overrides. Relative paths (the
// file itself, and path fields inside it) are relative to the directory the user ran from.

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { resolveLabConfig } from './resolve.ts';
import type { LabConfig } from './types.ts';
import { LabConfigError } from './validate.ts';
import { pathBaseFromEnv } from './configPaths.ts';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** config file; defaults to $LAB_CONFIG. */
  file?: string;
  /** the process's directory (relative paths are relative to $INIT_CWD, set by npm/npx, or to this). */
  cwd?: string;
}

export function loadLabConfig({ env = process.env, file = env.LAB_CONFIG, cwd = process.cwd() }: LoadOptions = {}): LabConfig {
  const paths = pathBaseFromEnv(env, cwd);
  let overrides: unknown;
  if (file) {
    file = resolve(paths.baseDir, file);
    let text: string;
    try {
      // a FIFO or a device (--config /dev/stdin) would block the read or never end: files only
      const stat = statSync(file);
      if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: stat.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new LabConfigError([{ path: 'LAB_CONFIG (--config)', message: `cannot read ${file}: ${readProblem(error as NodeJS.ErrnoException)}; give a JSON or YAML file of lab config fields` }]);
    }
    try {
      overrides = parse(text) ?? {};
    } catch (error) {
      throw new LabConfigError([{ path: '(file)', message: `is not valid JSON or YAML: ${(error as Error).message.trim()}` }], file);
    }
  }
  return resolveLabConfig({ profile: env.LAB_PROFILE || undefined, overrides, source: file, paths });
}

function readProblem(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT': return 'it does not exist';
    case 'EISDIR': return 'it is a folder, not a file';
    case 'ENOTFILE': return 'it is not a regular file (a device or a pipe)';
    case 'EACCES': case 'EPERM': return 'permission denied';
    default: return error.message;
  }
}
