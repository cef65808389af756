// The local lab's Alertmanager: the Debian prometheus-alertmanager 0.25 as a supervised process on
// a free loopback port, clustering off (one instance, nothing to gossip with).
//
// Where alerts go: nowhere outside the lab. The default receiver has no integrations (a "null"
// receiver), so Alertmanager keeps firing alerts in memory, visible at /api/v2/alerts and in its
// UI, and sends nothing. A webhook served by the lab script would die with it when the lab is
// kept (`--keep`) and Alertmanager would retry into a closed port; reading the API does not.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { freePort, LOOPBACK } from './ports.ts';
import type { ManagedProcess, Supervisor } from './supervisor.ts';

/** The receiver local alerts go to: it has no integrations, alerts stay readable in the API. */
export const LOCAL_RECEIVER = 'lab-local';

/** An Alertmanager config that keeps every alert and sends nothing (pure). */
export function localAlertmanagerConfig(): Record<string, unknown> {
  return {
    route: {
      receiver: LOCAL_RECEIVER,
      group_by: ['alertname', 'sla'],
      group_wait: '5s',
      group_interval: '30s',
      repeat_interval: '4h',
    },
    receivers: [{ name: LOCAL_RECEIVER }],
  };
}

export interface LocalAlertmanager {
  url: string;
  port: number;
  /** host:port, for Prometheus' alerting config and its scrape target. */
  address: string;
  process: ManagedProcess;
  waitReady(timeoutMs?: number): Promise<void>;
}

export interface StartAlertmanagerOptions {
  stateDir: string;
  supervisor: Supervisor;
  /** the alertmanager.yml content; default localAlertmanagerConfig(). */
  config?: Record<string, unknown>;
  port?: number;
}

export async function startAlertmanager(options: StartAlertmanagerOptions): Promise<LocalAlertmanager> {
  const dir = join(options.stateDir, 'alertmanager');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = options.port ?? (await freePort());
  const address = `${LOOPBACK}:${port}`;
  const url = `http://${address}`;
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, YAML.stringify(options.config ?? localAlertmanagerConfig()));
  const proc = options.supervisor.start('alertmanager', LOCAL_LAB_BINARIES.alertmanager.path, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    // empty = no cluster listener: a single local instance must not bind 0.0.0.0:9094.
    '--cluster.listen-address=',
  ]);
  return { url, port, address, process: proc, waitReady: (timeoutMs = 15_000) => waitAlertmanagerReady(url, proc, timeoutMs) };
}

export async function waitAlertmanagerReady(url: string, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  let exit: number | string | undefined;
  void proc.exited.then((code) => (exit = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`alertmanager exited (${exit}) before it was ready; see ${proc.logFile}`);
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`alertmanager at ${url} not ready after ${timeoutMs} ms; see ${proc.logFile}`);
}

/** Alerts Alertmanager holds now (GET /api/v2/alerts): what fired during a run. */
export async function activeAlerts(url: string): Promise<Array<{ labels: Record<string, string>; status: { state: string }; startsAt: string }>> {
  const response = await fetch(`${url}/api/v2/alerts`);
  if (!response.ok) throw new Error(`GET ${url}/api/v2/alerts answered ${response.status}`);
  return (await response.json()) as Array<{ labels: Record<string, string>; status: { state: string }; startsAt: string }>;
}
