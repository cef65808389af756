// The local lab's process supervisor: starts the lab's processes, remembers exactly which ones it
// started (in a pid file inside the run's state folder), and stops those and only those.
//
// Every process is its own process group (detached), so a stop reaches its children too, and a
// Ctrl-C delivered to the terminal's foreground group does not kill the servers before the lab
// has written its partial results; the lab stops them itself, in reverse start order.
//
// A restart policy, as a Kubernetes restart policy keeps a pod's containers running: once armed
// (keepRunning, after the lab is ready: a part that dies while the lab starts fails the start at
// once), a process that ends without being stopped by the supervisor is started again with the
// same command, environment and log, after a delay that doubles with each restart up to a cap, and
// given up after a number of restarts. Every restart is recorded (`restarts`) and announced to
// onRestart listeners; the pid file follows the new process.

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
  /** the current process (a restart replaces pid, child and exited). */
  pid: number;
  logFile: string;
  child: ChildProcess;
  stopSignal: NodeJS.Signals;
  /** resolves with the exit code (or the signal name) when the current process ends. */
  exited: Promise<number | string>;
  /** how often the restart policy has started it again. */
  restarts: number;
}

/** How the supervisor keeps a process running (see keepRunning). */
export interface RestartPolicy {
  /** delay before the first restart; each further restart waits twice as long, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** restarts after which the supervisor gives up on the process (it stays down). */
  maxRestarts: number;
}

/** One death the restart policy saw, and what it did about it. */
export interface RestartRecord {
  name: string;
  /** the exit code or signal of the process that ended. */
  exit: number | string;
  exitedAtMs: number;
  /** 1 for the first restart of this process. */
  attempt: number;
  /** when the new process started (undefined while waiting, or when it gave up). */
  restartedAtMs?: number;
  pid?: number;
  /** why it was not started again (restarts used up, spawn failed). */
  gaveUp?: string;
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
  /** every death the restart policy saw, oldest first (see keepRunning). */
  readonly restarts: RestartRecord[] = [];
  private readonly records: PidRecord[] = [];
  private readonly launches = new Map<ManagedProcess, { cmd: string; argv: string[]; options: StartOptions }>();
  private readonly policies = new Map<ManagedProcess, RestartPolicy>();
  private readonly pending = new Map<ManagedProcess, NodeJS.Timeout>();
  private readonly listeners = new Set<(record: RestartRecord) => void>();
  private stopping = false;

  constructor(readonly stateDir: string) {
    mkdirSync(join(stateDir, 'logs'), { recursive: true });
  }

  start(name: string, command: string, args: string[], options: StartOptions = {}): ManagedProcess {
    const logFile = join(this.stateDir, 'logs', `${name}.log`);
    const [cmd, argv] = commandAs(options.runAs, command, args);
    const stopSignal = options.stopSignal ?? 'SIGTERM';
    const managed = { name, logFile, stopSignal, restarts: 0 } as ManagedProcess;
    this.spawnInto(managed, cmd, argv, options);
    if (managed.child.pid === undefined) {
      throw new Error(`could not start ${name} (${command}): is it installed? See ${logFile}`);
    }
    this.launches.set(managed, { cmd, argv, options });
    this.processes.push(managed);
    this.records.push({ name, pid: managed.pid, startTime: readStartTime(managed.pid), stopSignal });
    this.savePidFile();
    return managed;
  }

  /** Starts the process of `managed` (its first start or a restart): pid, child and exited are the new one's. */
  private spawnInto(managed: ManagedProcess, cmd: string, argv: string[], options: StartOptions): void {
    // The child writes straight into its log file (not through a pipe to us), so a kept lab's
    // processes keep logging after the lab's own process has exited.
    const logFd = openSync(managed.logFile, 'a');
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    managed.child = child;
    managed.pid = child.pid ?? -1;
    managed.exited = new Promise<number | string>((resolve) => {
      child.on('exit', (code, signal) => {
        const how = code ?? signal ?? 'unknown';
        resolve(how);
        this.died(managed, child, how);
      });
      child.on('error', (err) => {
        appendFileSync(managed.logFile, `failed to start ${cmd}: ${err.message}\n`);
        resolve('spawn-error');
      });
    });
  }

  /**
   * Arms the restart policy for every process started so far: `policyOf(name)` says how each is
   * kept running (undefined: it is not restarted, e.g. a k6 runner, which the operator runs as a
   * Job that is never restarted either). Processes started later are not covered.
   */
  keepRunning(policyOf: (name: string) => RestartPolicy | undefined): void {
    for (const proc of this.processes) {
      const policy = policyOf(proc.name);
      if (policy) this.policies.set(proc, policy);
    }
  }

  /** Called with every restart record when the process dies, restarts or is given up. Returns the unsubscribe. */
  onRestart(listener: (record: RestartRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The named process (its current incarnation), or undefined when the supervisor does not run it. */
  find(name: string): ManagedProcess | undefined {
    return this.processes.find((p) => p.name === name);
  }

  /**
   * Sends `signal` to the named process' whole group (SIGKILL for a fault that kills it, SIGSTOP /
   * SIGCONT for one that stalls it). Unlike stop(), a process ended this way is restarted by its
   * restart policy. Returns the pid signalled.
   */
  signal(name: string, signal: NodeJS.Signals): number {
    const proc = this.find(name);
    if (!proc) throw new Error(`no process named ${name} in ${this.stateDir}`);
    if (!signalGroup(proc.pid, signal)) throw new Error(`could not send ${signal} to ${name} (pid ${proc.pid}): it is not running`);
    return proc.pid;
  }

  private died(managed: ManagedProcess, child: ChildProcess, how: number | string): void {
    const policy = this.policies.get(managed);
    // stopped by the supervisor (stop, stopAll), already replaced, or not kept running
    if (!policy || this.stopping || !this.processes.includes(managed) || managed.child !== child) return;
    const record: RestartRecord = { name: managed.name, exit: how, exitedAtMs: Date.now(), attempt: managed.restarts + 1 };
    this.restarts.push(record);
    if (managed.restarts >= policy.maxRestarts) {
      record.gaveUp = `restarted ${managed.restarts} time(s) already (at most ${policy.maxRestarts})`;
      appendFileSync(managed.logFile, `--- perflab supervisor: ${managed.name} exited (${how}); not restarted: ${record.gaveUp} ---\n`);
      this.announce(record);
      return;
    }
    const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** managed.restarts);
    appendFileSync(managed.logFile, `--- perflab supervisor: ${managed.name} exited (${how}); restarting in ${delay} ms (restart ${record.attempt}) ---\n`);
    this.announce(record);
    const timer = setTimeout(() => void this.restart(managed, record), delay);
    timer.unref();
    this.pending.set(managed, timer);
  }

  private async restart(managed: ManagedProcess, record: RestartRecord): Promise<void> {
    this.pending.delete(managed);
    if (this.stopping || !this.processes.includes(managed)) return;
    // what is left of the old group (a server's children) goes first: a new server must not meet it
    if (groupAlive(managed.pid)) {
      signalGroup(managed.pid, 'SIGKILL');
      const deadline = Date.now() + 2000;
      while (groupAlive(managed.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    }
    if (this.stopping || !this.processes.includes(managed)) return;
    const launch = this.launches.get(managed)!;
    this.spawnInto(managed, launch.cmd, launch.argv, launch.options);
    managed.restarts += 1;
    if (managed.child.pid === undefined) {
      record.gaveUp = `could not start ${launch.cmd} again`;
      this.announce(record);
      return;
    }
    record.restartedAtMs = Date.now();
    record.pid = managed.pid;
    const pidRecord = this.records.find((r) => r.name === managed.name);
    if (pidRecord) {
      pidRecord.pid = managed.pid;
      pidRecord.startTime = readStartTime(managed.pid);
    }
    this.savePidFile();
    this.announce(record);
  }

  private announce(record: RestartRecord): void {
    for (const listener of this.listeners) {
      try {
        listener({ ...record });
      } catch {
        // a listener's problem is not the supervisor's
      }
    }
  }

  /** Stops every process this supervisor started, newest first, escalating to SIGKILL. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    try {
      for (const proc of [...this.processes].reverse()) {
        await stopGroup(proc.pid, proc.stopSignal, graceMs, proc.exited);
      }
      this.processes.length = 0;
      this.records.length = 0;
      this.policies.clear();
      this.savePidFile();
    } finally {
      this.stopping = false;
    }
  }

  /** Stops one named process (a test stopping a replica, for instance); it is not restarted. */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const index = this.processes.findIndex((p) => p.name === name);
    if (index < 0) throw new Error(`no process named ${name} in ${this.stateDir}`);
    const [proc] = this.processes.splice(index, 1);
    clearTimeout(this.pending.get(proc!));
    this.pending.delete(proc!);
    this.policies.delete(proc!);
    this.records.splice(this.records.findIndex((r) => r.name === proc!.name), 1);
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
