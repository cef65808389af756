// cdktf deploy/destroy of the lab's stacks: the command lines (pure) and running them with
// progress (elapsed time on every line, so a long Helm wait shows it is alive).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const STACK_ORDER = ['platform', 'data', 'observability', 'target'] as const;
export type LabStackName = (typeof STACK_ORDER)[number];

export interface CdktfCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface CdktfOptions {
  /** the stacks to act on (default: all, in dependency order / reverse for destroy). */
  stacks?: readonly LabStackName[];
  /** TF_VAR_* values (the generated secrets). */
  variables?: Record<string, string>;
  /** 'tofu' to run OpenTofu. */
  terraformBinary?: string;
  /** skip `terraform providers lock` (needs the registry); for offline mirrors. */
  skipProviderLock?: boolean;
}

export function cdktfCommand(action: 'deploy' | 'destroy', opts: CdktfOptions = {}): CdktfCommand {
  const chosen = opts.stacks ?? STACK_ORDER;
  // deploy in dependency order, destroy in reverse (cdktf orders by the manifest too; this keeps the log readable)
  const ordered = STACK_ORDER.filter((s) => chosen.includes(s));
  const stacks = action === 'deploy' ? ordered : [...ordered].reverse();
  const args = ['cdktf', action, ...stacks, '--auto-approve'];
  // a subset of stacks: the others are assumed deployed (deploy) or already gone (destroy)
  if (stacks.length < STACK_ORDER.length) args.push('--ignore-missing-stack-dependencies');
  if (action === 'deploy' && opts.skipProviderLock) args.push('--skip-provider-lock');
  const env: Record<string, string> = { CHECKPOINT_DISABLE: '1', CI: '1' };
  for (const [name, value] of Object.entries(opts.variables ?? {})) env[`TF_VAR_${name}`] = value;
  if (opts.terraformBinary && opts.terraformBinary !== 'terraform') env.TERRAFORM_BINARY_NAME = opts.terraformBinary;
  return { command: 'npx', args, env };
}

/** Never print secrets: TF_VAR_ values are masked. */
export function describeCommand(cmd: CdktfCommand): string {
  const env = Object.entries(cmd.env).map(([k, v]) => `${k}=${k.startsWith('TF_VAR_') ? '***' : v}`);
  return [...env, cmd.command, ...cmd.args].join(' ');
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export async function runCdktf(cmd: CdktfCommand, log: (line: string) => void, cwd?: string): Promise<void> {
  const started = Date.now();
  const child = spawn(cmd.command, cmd.args, { cwd, env: { ...process.env, ...cmd.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line.trim() !== '') log(`[${clock(Date.now() - started)}] ${line}`);
    });
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${cmd.args.slice(0, 2).join(' ')} failed with exit ${code} after ${clock(Date.now() - started)}`);
}
