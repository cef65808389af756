// The postgres Unix user: Postgres refuses to run as root, so when the lab is root every server
// and tool runs as this user (through runuser: commandAs in lab/process/supervisor.ts), on files
// this user owns.

import { spawn } from 'node:child_process';
import { chownSync, readFileSync } from 'node:fs';
import { commandAs } from '../../process/supervisor.ts';

export const POSTGRES_USER = 'postgres';

export function chownToPostgres(path: string): void {
  if (process.getuid?.() !== 0) return; // not root: we already are the user that runs postgres
  const { uid, gid } = postgresIds();
  chownSync(path, uid, gid);
}

let ids: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (ids) return ids;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${POSTGRES_USER}:`));
  if (!line) throw new Error(`no Unix user "${POSTGRES_USER}": install postgresql-15 (npm run setup)`);
  const [, , uid, gid] = line.split(':');
  ids = { uid: Number(uid), gid: Number(gid) };
  return ids;
}

/** Runs a short setup tool (initdb, when a template is built) as the postgres user and waits for it. */
export function runAsPostgres(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const [cmd, argv] = commandAs(POSTGRES_USER, command, args);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`could not run ${command}: ${err.message}`)));
    child.on('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} failed (${code ?? signal}):\n${output.trim()}`)));
  });
}
