// Runs the real scripts (zx scripts/run-soak.mjs, scripts/run.mjs) as a user would, in their own
// process group (as a terminal runs them), with results in a temp folder.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lab/paths.ts';
import type { RunSummary } from '../../lab/report/summary.ts';

export const ZX = join(PROJECT_ROOT, 'node_modules', '.bin', 'zx');

export interface ScriptRun {
  child: ChildProcess;
  /** resolves when the script exits. */
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  /** resolves when stderr has printed a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stderrSoFar(): string;
}

export function newResultsDir(): string {
  return mkdtempSync(join(tmpdir(), 'perflab-e2e-results-'));
}

export function startScript(script: 'run-soak.mjs' | 'run.mjs', args: string[], extraEnv: Record<string, string> = {}): ScriptRun {
  const env = { ...process.env, ...extraEnv };
  delete env.NODE_TEST_CONTEXT; // the script is not a test
  const child = spawn(ZX, [join(PROJECT_ROOT, 'scripts', script), ...args], {
    cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      const line = stderr.split('\n').find((l) => w.pattern.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    done,
    stderrSoFar: () => stderr,
    waitFor(pattern, timeoutMs = 90_000) {
      const line = stderr.split('\n').find((l) => pattern.test(l));
      if (line) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void done.then(() => reject(new Error(`script exited before a line matching ${pattern}; stderr:\n${stderr}`)));
      });
    },
  };
}

/** `extraEnv`: the script's environment beyond this process's (the local target reads its TARGET_* switches from it). */
export async function runScript(script: 'run-soak.mjs' | 'run.mjs', args: string[], extraEnv: Record<string, string> = {}) {
  return startScript(script, args, extraEnv).done;
}

/** The one run folder a script wrote under a results root. */
export function onlyRunDir(resultsRoot: string): string {
  const runs = existsSync(resultsRoot) ? readdirSync(resultsRoot) : [];
  if (runs.length !== 1) throw new Error(`expected one run folder in ${resultsRoot}, found ${runs.join(', ') || 'none'}`);
  return join(resultsRoot, runs[0]!);
}

export function readSummary(runDir: string): RunSummary {
  return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
}

/** A process that exists and is not a zombie (an orphan whose exit nobody reaped has stopped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** pids of the processes the local lab of `runId` has recorded (its Supervisor's pid file). */
export function recordedPids(runId: string): Array<{ name: string; pid: number }> {
  const file = join(PROJECT_ROOT, '.lab', 'runs', runId, 'processes.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as Array<{ name: string; pid: number }>).map(({ name, pid }) => ({ name, pid }));
}

/** Live processes whose command line mentions `text` (a run id is in every lab process's paths). */
export function processesMentioning(text: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text) && isAlive(Number(entry))) found.push({ pid: Number(entry), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
