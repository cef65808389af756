// The local lab's Alertmanager: the Debian prometheus-alertmanager 0.25 as a supervised process on
// a free loopback port, clustering off (one instance, nothing to gossip with).
//
// Config: lab/alerts' alertmanagerConfig(routes), the same document the cluster's Alertmanager
// gets. With no routes configured every alert goes to its "null" receiver (no integrations):
// Alertmanager keeps firing alerts, visible at /api/v2/alerts and in its UI, and sends nothing.
// We chose that over a webhook served by the lab script: a kept lab (`--keep`) outlives the
// script, and Alertmanager would then retry into a closed port; reading the API always works.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { alertmanagerConfig } from '../alerts/alertmanager.ts';
import type { AlertRoute } from '../config/types.ts';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';
import { freePort, LOOPBACK } from './ports.ts';
import type { Supervisor } from '../process/supervisor.ts';
import { labProcess, type LabProcess } from '../process/labProcess.ts';
import { waitUntil } from '../process/waitUntil.ts';

/** Alertmanager's handle: ready once /-/ready answers. */
export interface LocalAlertmanager extends LabProcess {
  port: number;
  /** host:port, for Prometheus' alerting config and its scrape target. */
  address: string;
}

export interface StartAlertmanagerOptions {
  stateDir: string;
  supervisor: Supervisor;
  /** the lab config's alert routes (default none: every alert stays in Alertmanager). */
  alertRoutes?: readonly AlertRoute[];
  port?: number;
}

export async function startAlertmanager(options: StartAlertmanagerOptions): Promise<LocalAlertmanager> {
  const dir = join(options.stateDir, 'alertmanager');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = options.port ?? (await freePort());
  const address = `${LOOPBACK}:${port}`;
  const url = `http://${address}`;
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, YAML.stringify(alertmanagerConfig(options.alertRoutes ?? [])));
  const proc = options.supervisor.start('alertmanager', LOCAL_LAB_BINARIES.alertmanager.path, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    // empty = no cluster listener: a single local instance must not bind 0.0.0.0:9094.
    '--cluster.listen-address=',
  ]);
  return {
    ...labProcess(options.supervisor, proc, {
      url,
      defaultTimeoutMs: 15_000,
      ready: async (wait) => {
        await waitUntil(`alertmanager at ${url} to be ready`, proc, () => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), wait);
      },
    }),
    port,
    address,
  };
}

/** Alerts Alertmanager holds now (GET /api/v2/alerts): what fired during a run. */
export async function activeAlerts(url: string): Promise<Array<{ labels: Record<string, string>; status: { state: string }; startsAt: string }>> {
  const response = await fetch(`${url}/api/v2/alerts`);
  if (!response.ok) throw new Error(`GET ${url}/api/v2/alerts answered ${response.status}`);
  return (await response.json()) as Array<{ labels: Record<string, string>; status: { state: string }; startsAt: string }>;
}
