// File paths in the lab config (cluster.kubeconfig, charts.<chart>.caFile): resolved once, when
// the config is loaded, to absolute paths, so every reader (preflight, kubectl, the stacks, the
// Terraform providers running in cdktf.out/stacks/<stack>/) means the same file. Pure: the caller
// says which directory relative paths are relative to and where "~" is.

import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

export interface PathBase {
  /** the directory the user ran the command from: relative paths are relative to it. */
  baseDir: string;
  /** the user's home directory, for "~" and "~/..."; undefined when $HOME is not set. */
  home?: string;
}

export type ResolvedPath = { path: string; problem?: undefined } | { path?: undefined; problem: string };

/** An absolute path for `value`, or why there is none (the message completes "<field>: ..."). */
export function resolveConfigPath(value: unknown, base: PathBase): ResolvedPath {
  if (typeof value !== 'string' || value.trim() === '') {
    return { problem: `must be a file path (absolute, "~/..." or relative to where you run the command), got ${JSON.stringify(value)}` };
  }
  if (value === '~' || value.startsWith('~/')) {
    if (!base.home) return { problem: `"${value}" starts with "~" but $HOME is not set: give an absolute path` };
    return { path: resolve(base.home, value.slice(2)) };
  }
  if (value.startsWith('~')) {
    return { problem: `"${value}": only "~/" (your own home) is expanded, not another user's; give an absolute path` };
  }
  return { path: isAbsolute(value) ? resolve(value) : resolve(base.baseDir, value) };
}

/**
 * Where relative paths of a config are resolved from. `npm run` starts scripts in the package root
 * and keeps the user's directory in INIT_CWD; but `npx` (which lab-up uses to start cdktf, which
 * starts the stacks' app) resets INIT_CWD to its own directory, so lab-up pins the directory it
 * resolved from in LAB_BASE_DIR for its children: both processes then read the same files.
 */
export function pathBaseFromEnv(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): PathBase {
  return { baseDir: env.LAB_BASE_DIR || env.INIT_CWD || cwd, home: env.HOME || homedir() || undefined };
}
