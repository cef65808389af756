// What the stacks' local state files say is deployed: teardown destroys only stacks that hold
// resources, so it succeeds on a half-built lab and says what it removed.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_ORDER, type LabStackName } from './cdktf.ts';

/** `.lab/state` relative to the repository root (stacks/labStack.ts points each stack's state there). */
export const STATE_DIR = join('.lab', 'state');

export const stateFile = (root: string, stack: LabStackName) => join(root, STATE_DIR, `${stack}.tfstate`);

/** Resource addresses recorded in a stack's state ([] when there is no state). */
export function deployedResources(root: string, stack: LabStackName): string[] {
  const file = stateFile(root, stack);
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as { resources?: Array<{ mode?: string; type: string; name: string }> };
  return (state.resources ?? []).filter((r) => r.mode !== 'data').map((r) => `${r.type}.${r.name}`);
}

export function deployedStacks(root: string): Array<{ stack: LabStackName; resources: string[] }> {
  return STACK_ORDER.map((stack) => ({ stack, resources: deployedResources(root, stack) })).filter((s) => s.resources.length > 0);
}

/** State of a cluster that no longer exists describes nothing: forget it. Returns removed files. */
export function forgetState(root: string): string[] {
  return STACK_ORDER.map((s) => stateFile(root, s)).filter((f) => {
    if (!existsSync(f)) return false;
    rmSync(f);
    rmSync(`${f}.backup`, { force: true });
    return true;
  });
}
