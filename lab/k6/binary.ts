// Finds the k6 v2 to run, or builds the pinned one (see lab/setup/goTool.ts).
// Order: $K6_BINARY, then `k6` on PATH if it is v2, then `.bin/k6` if it is the pinned version,
// else build go.k6.io/k6/v2@<pinned> into `.bin/k6`.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { K6 } from '../versions.ts';
import { buildGoTool, onPath, projectBinary, ToolUnavailable, type GoTool } from '../setup/goTool.ts';

const K6_TOOL: GoTool = { name: 'k6', module: K6.module, version: K6.version, packagePath: '.' };
const MAJOR = K6.version.split('.')[0]!;

/** `k6 version`'s version, e.g. "v2.2.0", or undefined when it does not run. */
export function k6VersionOf(binary: string): string | undefined {
  const out = spawnSync(binary, ['version'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  return /k6 (v\d+\.\d+\.\d+)/.exec(out.stdout)?.[1];
}

const isV2 = (version: string | undefined) => version?.split('.')[0] === MAJOR;

/** The k6 the lab should run, without building anything. */
export function findK6(): string | undefined {
  const fromEnv = process.env.K6_BINARY;
  if (fromEnv) {
    const version = k6VersionOf(fromEnv);
    if (!isV2(version)) {
      throw new ToolUnavailable(`K6_BINARY=${fromEnv} is not a k6 ${MAJOR} (it reports ${version ?? 'nothing'})`);
    }
    return fromEnv;
  }
  const system = onPath('k6');
  if (system && isV2(k6VersionOf(system))) return system;
  const local = projectBinary(K6_TOOL);
  if (existsSync(local) && k6VersionOf(local) === K6.version) return local;
  return undefined;
}

/** The k6 to run: found, or built with the Go toolchain. */
export function ensureK6(log?: (line: string) => void): string {
  return findK6() ?? buildGoTool(K6_TOOL, log);
}
