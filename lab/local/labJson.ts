// results/<run-id>/lab.json: where the lab a run ran on can be reached (target, Prometheus,
// Alertmanager, Postgres primary and replicas, Redis nodes, state folder), for scripts and people,
// and for `lab:down --target local` to find a kept lab's processes.
//
// No secrets in it: results folders get attached to CI runs and shared. Passwords live in the
// state folder's secrets.json (mode 0600, see writeLabSecrets) and lab.json names that file.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const LAB_JSON = 'lab.json';
export const LAB_SECRETS = 'secrets.json';
export const LAB_JSON_VERSION = 1;

export interface LabEndpoints {
  /** the target service's base URL (what BASE_URL is set to); absent when no target was started. */
  targetBaseUrl?: string;
  prometheusUrl: string;
  /** where k6 remote-writes. */
  prometheusRemoteWriteUrl: string;
  alertmanagerUrl: string;
  postgres: {
    database: string;
    /** host:port of the primary (writes). */
    primary: string;
    /** host:port of each hot standby (reads). */
    replicas: string[];
    /** the role the target connects as (its password is in the secrets file). */
    user: string;
  };
  redis: {
    /** host:port of every cluster node (a cluster client's seed list). */
    nodes: string[];
  };
  exporters: {
    postgres?: string;
    redis?: string;
  };
  /** the run's state folder: data, configs, logs, the pid file of every process. */
  stateDir: string;
  /** 0600 file with the passwords (Postgres roles, Redis). */
  secretsFile: string;
}

export interface LabJson {
  version: typeof LAB_JSON_VERSION;
  target: 'local';
  runId: string;
  startedAt: string;
  /** true when the run left the lab up (`--keep`): stop it with `npm run lab:down -- --target local`. */
  kept: boolean;
  endpoints: LabEndpoints;
}

export interface LabSecrets {
  postgres: { appUrl: string; adminUrl: string; monitorUrl: string };
  redis: { password: string };
}

/** Writes lab.json into a results folder; returns its path. */
export function writeLabJson(resultsDir: string, lab: LabJson): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, LAB_JSON);
  writeFileSync(path, `${JSON.stringify(lab, null, 2)}\n`);
  return path;
}

/** Reads and checks a lab.json (a folder or the file itself). */
export function readLabJson(path: string): LabJson {
  const file = path.endsWith('.json') ? path : join(path, LAB_JSON);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const lab = parsed as Partial<LabJson>;
  if (lab.version !== LAB_JSON_VERSION) throw new Error(`${file}: version must be ${LAB_JSON_VERSION}, got ${JSON.stringify(lab.version)}`);
  if (typeof lab.runId !== 'string' || lab.runId === '') throw new Error(`${file}: runId must be a non-empty string`);
  if (typeof lab.endpoints?.stateDir !== 'string') throw new Error(`${file}: endpoints.stateDir must be a folder path`);
  return lab as LabJson;
}

/** Writes the lab's passwords, readable by the owner only; returns the path. */
export function writeLabSecrets(stateDir: string, secrets: LabSecrets): string {
  const path = join(stateDir, LAB_SECRETS);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // mode only applies when the file is created
  return path;
}
