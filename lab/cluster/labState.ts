// What the stacks' local state files say is deployed: teardown destroys only stacks that hold
// resources, so it succeeds on a half-built lab and says what it removed. The state holds the
// lab's generated passwords (the Secrets' data), so its folder is 0700 and its files 0600, like
// .lab/secrets.json.

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/**
 * After a destroy: the state files of these stacks that record no resources any more, with the
 * backups Terraform keeps next to them (the destroyed resources, their generated passwords
 * included), are removed. A next deploy starts from no state, as it would anyway. Returns the
 * removed files.
 */
export function forgetDestroyedState(root: string, stacks: readonly LabStackName[]): string[] {
  return stacks.filter((stack) => deployedResources(root, stack).length === 0).flatMap((stack) => {
    const file = stateFile(root, stack);
    return [file, `${file}.backup`].filter((f) => {
      if (!existsSync(f)) return false;
      rmSync(f);
      return true;
    });
  });
}

/**
 * Creates .lab/state (0700) if needed and makes every file in it 0600 (.lab itself 0700). Run
 * before and after each cdktf command: Terraform writes state and backups with the process umask
 * (cdktf.ts runs it with 077), and files from before this rule are tightened too. Returns the
 * files it had to tighten.
 */
export function protectState(root: string): string[] {
  const dir = join(root, STATE_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(join(root, '.lab'), 0o700);
  chmodSync(dir, 0o700);
  const tightened: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(dir, entry.name);
    if ((statSync(file).mode & 0o077) !== 0) tightened.push(file);
    chmodSync(file, 0o600);
  }
  return tightened;
}
