// cdktf deploy/destroy of the lab's stacks: the command lines (pure) and running them with
// progress (elapsed time on every line, so a long Helm wait shows it is alive).
//
// One cdktf process per stack, one after the other (deploy in dependency order, destroy in
// reverse), never one process for all four: cdktf 0.21 runs independent stacks (data and
// observability) in parallel, and when two of them fail at once its scheduler leaves a rejected
// promise unhandled and the CLI dies with exit 7 (UnhandledPromiseRejection) instead of reporting
// both errors (cdktf-project.ts `execute`: the stacks' deploy promises are never awaited once one
// throws; hashicorp/terraform-cdk#3206, fix PR #3934 never merged, cdktf archived). With one stack
// per process there is nothing to run in parallel, each failure is that stack's, and lab-up stops
// at the first one instead of starting stacks that need it. The app is synthesized once, by the
// first command; the others reuse cdktf.out (--skip-synth).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';

export const STACK_ORDER = ['platform', 'data', 'observability', 'target'] as const;
export type LabStackName = (typeof STACK_ORDER)[number];

export interface CdktfCommand {
  /** the stack this command deploys or destroys. */
  stack: LabStackName;
  action: 'deploy' | 'destroy';
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
  /** skip `terraform providers lock` (it asks the registry); for offline provider mirrors. */
  skipProviderLock?: boolean;
  /** no colours in cdktf's and Terraform's output (a log file, CI). */
  noColor?: boolean;
}

/** The cdktf commands of a deploy or destroy: one per stack, in the order they must run. */
export function cdktfCommands(action: 'deploy' | 'destroy', opts: CdktfOptions = {}): CdktfCommand[] {
  const chosen = opts.stacks ?? STACK_ORDER;
  const ordered = STACK_ORDER.filter((s) => chosen.includes(s));
  const stacks = action === 'deploy' ? ordered : [...ordered].reverse();
  const env: Record<string, string> = { CHECKPOINT_DISABLE: '1', CI: '1' };
  for (const [name, value] of Object.entries(opts.variables ?? {})) env[`TF_VAR_${name}`] = value;
  if (opts.terraformBinary && opts.terraformBinary !== 'terraform') env.TERRAFORM_BINARY_NAME = opts.terraformBinary;
  return stacks.map((stack, i) => {
    // one stack per command: the others are deployed before it (deploy) or already gone (destroy)
    const args = ['cdktf', action, stack, '--auto-approve', '--ignore-missing-stack-dependencies'];
    if (i > 0) args.push('--skip-synth');
    if (opts.skipProviderLock) args.push('--skip-provider-lock');
    if (opts.noColor) args.push('--no-color');
    return { stack, action, command: 'npx', args, env };
  });
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

/** A cdktf run that did not end with exit 0: which stack, how it ended, and the errors it printed. */
export class CdktfFailed extends Error {
  constructor(
    /** the stack whose command failed (`stack` is the Error's trace). */
    readonly stackName: LabStackName,
    readonly action: 'deploy' | 'destroy',
    readonly exit: { code: number | null; signal: NodeJS.Signals | null },
    readonly errors: string[],
    elapsed: string,
  ) {
    const how = exit.signal ? `was killed by ${exit.signal}`
      : exit.code === 7 ? 'crashed (exit 7: cdktf itself failed while handling an error; the stack\'s own errors are in the log above)'
        : `failed (exit ${exit.code})`;
    const said = errors.length > 0 ? `:\n${errors.map((e) => `    ${e}`).join('\n')}` : '';
    super(`cdktf ${action} ${stackName} ${how} after ${elapsed}${said}`);
    this.name = 'CdktfFailed';
  }
}

/**
 * The errors Terraform printed, one line each: an error block's heading ("│ Error: installation
 * failed") with its last line of detail ("no matches for kind ..."), the last five of them.
 */
export function errorLines(lines: readonly string[]): string[] {
  const text = (l: string) => stripVTControlCharacters(l).replace(/^\s*(\[\d{2}:\d{2}\]\s*)?([a-z-]+\s+)?[│╷╵]\s?/, '').trim();
  const found: string[] = [];
  let block: string[] | undefined;
  const close = () => {
    if (!block) return;
    const [heading, ...rest] = block;
    const detail = rest.filter((l) => l !== '' && !/^(with |on |\d+:)/.test(l)).at(-1);
    found.push(detail && detail !== heading ? `${heading} — ${detail}` : heading!);
    block = undefined;
  };
  for (const line of lines) {
    const stripped = stripVTControlCharacters(line);
    const t = text(line);
    if (/^Error: /.test(t)) {
      close();
      block = [t];
    } else if (block) {
      if (/[╵]/.test(stripped) || !/[│]/.test(stripped)) close();
      else block.push(t);
    }
  }
  close();
  return [...new Set(found)].slice(-5);
}

export interface RunOptions {
  cwd?: string;
  /** the log is a terminal: keep colours. Otherwise escape sequences are removed from every line. */
  tty?: boolean;
}

/**
 * Runs one cdktf command; every line of its output goes to `log` with the elapsed time. Terraform
 * writes state files with the process's umask: cdktf runs with 077, so .lab/state/*.tfstate (which
 * hold the generated passwords) are created 0600. Throws CdktfFailed on any other end than exit 0.
 */
export async function runCdktf(cmd: CdktfCommand, log: (line: string) => void, opts: RunOptions = {}): Promise<void> {
  const started = Date.now();
  const seen: string[] = [];
  const previousUmask = process.umask(0o077);
  let child;
  try {
    child = spawn(cmd.command, cmd.args, { cwd: opts.cwd, env: { ...process.env, ...cmd.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    process.umask(previousUmask);
  }
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (raw) => {
      const line = opts.tty ? raw : stripVTControlCharacters(raw);
      if (line.trim() === '') return;
      seen.push(line);
      if (seen.length > 400) seen.shift();
      log(`[${clock(Date.now() - started)}] ${line}`);
    });
  }
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  if (exit.code !== 0) throw new CdktfFailed(cmd.stack, cmd.action, exit, errorLines(seen), clock(Date.now() - started));
}

/**
 * Runs the commands one after the other and stops at the first that fails: the stacks after it
 * are not started (they need it, or, for destroy, they are still needed by it).
 */
export async function runCdktfCommands(cmds: readonly CdktfCommand[], log: (line: string) => void, opts: RunOptions = {}): Promise<void> {
  const done: LabStackName[] = [];
  for (const [i, cmd] of cmds.entries()) {
    try {
      await runCdktf(cmd, log, opts);
    } catch (error) {
      if (error instanceof CdktfFailed) {
        const notStarted = cmds.slice(i + 1).map((c) => c.stack);
        error.message += `\n  ${cmd.action === 'deploy' ? 'deployed' : 'destroyed'}: ${done.join(', ') || 'none'}; not started: ${notStarted.join(', ') || 'none'}`;
      }
      throw error;
    }
    done.push(cmd.stack);
  }
}
