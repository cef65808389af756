// The lab's generated secrets, kept in a gitignored 0600 file so a second `lab:up` reuses them
// (passwords stay stable across deploys). Values are URL-safe: they go into a postgres:// URL.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Terraform variable names (stacks/labStack.ts SECRET_VARIABLES) the stacks read them from. */
export const LAB_SECRET_NAMES = ['grafana_admin_password', 'postgres_owner_password', 'redis_password'] as const;
export type LabSecrets = Record<(typeof LAB_SECRET_NAMES)[number], string>;

export const SECRETS_FILE = 'secrets.json';

export const newSecret = () => randomBytes(24).toString('base64url');

/** Reads `<dir>/secrets.json`, adds what is missing, writes it back with mode 0600. */
export function ensureLabSecrets(dir: string): { secrets: LabSecrets; file: string; created: string[] } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, SECRETS_FILE);
  const existing = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LabSecrets>) : {};
  const created: string[] = [];
  const secrets = {} as LabSecrets;
  for (const name of LAB_SECRET_NAMES) {
    const value = existing[name];
    if (typeof value === 'string' && /^[A-Za-z0-9_-]{16,}$/.test(value)) {
      secrets[name] = value;
    } else {
      secrets[name] = newSecret();
      created.push(name);
    }
  }
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secrets, file, created };
}
