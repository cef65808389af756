// The local lab's process supervisor: starts the lab's processes, remembers exactly which ones it
// started (in a pid file inside the run's state folder), and stops those and only those.
//
// Every process is its own process group (detached), so a stop reaches its children too, and a
// Ctrl-C delivered to the terminal's foreground group does not kill the servers before the lab
// has written its partial results; the lab stops them itself, in reverse start order.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** run as this Unix user when we are root (Postgres refuses to run as root). */
  runAs?: string;
  /** signal to stop it with (default SIGTERM); Postgres shuts down fastest on SIGINT. */
  stopSignal?: NodeJS.Signals;
}

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  stopSignal: NodeJS.Signals;
  /** resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
}

interface PidRecord {
  name: string;
  pid: number;
  /**
   * The process' start time (/proc/<pid>/stat field 22): a later stop checks it, so a reused pid
   * is never signalled. (Not the command line: Redis rewrites its own process title.)
   */
  startTime: string;
  stopSignal: NodeJS.Signals;
}

export const PID_FILE = 'processes.json';

export class Supervisor {
  readonly processes: ManagedProcess[] = [];
  private readonly records: PidRecord[] = [];

  constructor(readonly stateDir: string) {
    mkdirSync(join(stateDir, 'logs'), { recursive: true });
  }

  start(name: string, command: string, args: string[], options: StartOptions = {}): ManagedProcess {
    const logFile = join(this.stateDir, 'logs', `${name}.log`);
    // The child writes straight into its log file (not through a pipe to us), so a kept lab's
    // processes keep logging after the lab's own process has exited.
    const logFd = openSync(logFile, 'a');
    const [cmd, argv] = commandAs(options.runAs, command, args);
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    const exited = new Promise<number | string>((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.on('error', (err) => {
        appendFileSync(logFile, `failed to start ${cmd}: ${err.message}\n`);
        resolve('spawn-error');
      });
    });
    if (child.pid === undefined) {
      throw new Error(`could not start ${name} (${command}): is it installed? See ${logFile}`);
    }
    const stopSignal = options.stopSignal ?? 'SIGTERM';
    const managed: ManagedProcess = { name, pid: child.pid, logFile, child, stopSignal, exited };
    this.processes.push(managed);
    this.records.push({ name, pid: child.pid, startTime: readStartTime(child.pid), stopSignal });
    this.savePidFile();
    return managed;
  }

  /** Stops every process this supervisor started, newest first, escalating to SIGKILL. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const proc of [...this.processes].reverse()) {
      await stopGroup(proc.pid, proc.stopSignal, graceMs, proc.exited);
    }
    this.processes.length = 0;
    this.records.length = 0;
    this.savePidFile();
  }

  /** Stops one named process (a test stopping a replica, for instance). */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const index = this.processes.findIndex((p) => p.name === name);
    if (index < 0) throw new Error(`no process named ${name} in ${this.stateDir}`);
    const [proc] = this.processes.splice(index, 1);
    this.records.splice(this.records.findIndex((r) => r.pid === proc!.pid), 1);
    await stopGroup(proc!.pid, proc!.stopSignal, graceMs, proc!.exited);
    this.savePidFile();
  }

  private savePidFile(): void {
    writeFileSync(join(this.stateDir, PID_FILE), JSON.stringify(this.records, null, 2));
  }
}

/**
 * The command line that runs `command` as `user` when we are root (through runuser, which keeps
 * the environment), and as ourselves otherwise: the lab never asks for a password.
 */
export function commandAs(user: string | undefined, command: string, args: readonly string[]): [string, string[]] {
  return user !== undefined && process.getuid?.() === 0 ? ['runuser', ['-u', user, '--', command, ...args]] : [command, [...args]];
}

/**
 * Stops the processes recorded in a state folder's pid file by another (finished) lab run, e.g.
 * a lab kept with `--keep`. Returns the names of the processes it stopped.
 */
export async function stopRecordedProcesses(stateDir: string, graceMs = 10_000): Promise<string[]> {
  const file = join(stateDir, PID_FILE);
  if (!existsSync(file)) return [];
  const records = JSON.parse(readFileSync(file, 'utf8')) as PidRecord[];
  const stopped: string[] = [];
  for (const record of [...records].reverse()) {
    if (!isRunning(record.pid) || readStartTime(record.pid) !== record.startTime) continue;
    await stopGroup(record.pid, record.stopSignal, graceMs);
    stopped.push(record.name);
  }
  writeFileSync(file, '[]');
  return stopped;
}

/**
 * The processes a state folder's pid file records, each with whether it still runs (the same
 * process: a reused pid with another start time does not count). [] when there is no pid file.
 * A kept lab (a simulated cluster lab:up left running) is whole when every one runs.
 */
export function recordedProcesses(stateDir: string): Array<{ name: string; pid: number; running: boolean }> {
  const file = join(stateDir, PID_FILE);
  if (!existsSync(file)) return [];
  const records = JSON.parse(readFileSync(file, 'utf8')) as PidRecord[];
  return records.map((r) => ({ name: r.name, pid: r.pid, running: isRunning(r.pid) && readStartTime(r.pid) === r.startTime }));
}

/**
 * Signals the process group and waits until every member has gone (the leader's exit is not
 * enough: a server's children, or a shell's, may still be exiting), escalating to SIGKILL.
 */
async function stopGroup(
  pid: number,
  signal: NodeJS.Signals,
  graceMs: number,
  exited?: Promise<unknown>,
): Promise<void> {
  if (!signalGroup(pid, signal)) return;
  const allGone = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    if (exited) await Promise.race([exited, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return !groupAlive(pid);
  };
  if (await allGone(graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  await allGone(2000);
}

/** True while the leader or any other member of its process group is running. */
function groupAlive(pgid: number): boolean {
  if (isRunning(pgid)) return true;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields[2] === String(pgid) && fields[0] !== 'Z') return true; // field 5 of stat: pgrp
  }
  return false;
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * True while the process exists and is not a zombie. Orphans of the lab (a server's children,
 * a kept lab's processes) are re-parented to PID 1, which on some machines never reaps them: a
 * zombie has stopped all the same.
 */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)[0];
  return state !== undefined && state !== 'Z';
}


/** The fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function statFields(pid: number): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

function readStartTime(pid: number): string {
  return statFields(pid)[19] ?? ''; // field 22 of stat; the list starts at field 3
}
