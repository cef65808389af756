// docker and kind commands the image steps of lab:up run: what docker has (`docker image
// inspect`), what a kind node has (`docker exec <node> crictl inspecti`, as `kind load` itself
// asks), and one long command run with progress (every output line with the elapsed time) that
// fails naming its step. `env` decides which docker and kind are run (the tests put stand-ins on PATH).

import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';

type Env = NodeJS.ProcessEnv;

/** mm:ss of `ms`. */
export const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** An image step (docker build, kind load, docker push) that did not end with exit 0. */
export class ImageStepFailed extends Error {
  constructor(readonly step: string, readonly exit: { code: number | null; signal: NodeJS.Signals | null; error?: string }, readonly lastLines: string[], elapsed: string) {
    const how = exit.error ? `could not start (${exit.error})` : exit.signal ? `was killed by ${exit.signal}` : `failed (exit ${exit.code})`;
    super(`${step} ${how} after ${elapsed}${lastLines.length > 0 ? `:\n${lastLines.map((l) => `    ${l}`).join('\n')}` : ''}`);
    this.name = 'ImageStepFailed';
  }
}

export interface StepOptions {
  env: Env;
  cwd?: string;
  log: (line: string) => void;
  /** a terminal: keep colours */
  tty?: boolean;
}

/** Runs `command args`, each output line logged with the elapsed time; throws ImageStepFailed naming `step` unless it exits 0. */
export async function runImageStep(step: string, command: string, args: readonly string[], opts: StepOptions): Promise<void> {
  const started = Date.now();
  const seen: string[] = [];
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (raw) => {
      const line = opts.tty ? raw : stripVTControlCharacters(raw);
      if (line.trim() === '') return;
      seen.push(line);
      if (seen.length > 8) seen.shift();
      opts.log(`[${clock(Date.now() - started)}] ${line}`);
    });
  }
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error: error.message }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  if (exit.code !== 0) throw new ImageStepFailed(step, exit, seen, clock(Date.now() - started));
}

/** What docker has under `ref`: its id and the value of `label`, or undefined when it has no such image (or no docker answers). */
export function localImage(ref: string, label: string, env: Env): { id: string; label?: string } | undefined {
  const out = spawnSync('docker', ['image', 'inspect', '--format', `{{.Id}} {{index .Config.Labels "${label}"}}`, ref], { env, encoding: 'utf8' });
  if (out.status !== 0 || out.error) return undefined;
  const [id, value] = out.stdout.trim().split(/\s+/);
  if (!id) return undefined;
  return { id, label: value && value !== '<no value>' ? value : undefined };
}

/** The id of the image a kind node's containerd has under `ref` (`crictl inspecti`, as `kind load` asks), or undefined. */
export function imageIdOnNode(node: string, ref: string, env: Env): string | undefined {
  const out = spawnSync('docker', ['exec', node, 'crictl', 'inspecti', ref], { env, encoding: 'utf8' });
  if (out.status !== 0 || out.error) return undefined;
  try {
    return (JSON.parse(out.stdout) as { status?: { id?: string } }).status?.id || undefined;
  } catch {
    return undefined;
  }
}
