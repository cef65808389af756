// Reads the dashboards the observability stack ships: every dashboards/*.json.

import { readdirSync, readFileSync } from 'node:fs';
import type { DashboardFile } from '../lab/cluster/manifests/dashboards.ts';

export const DASHBOARDS_DIR = new URL('./', import.meta.url);

export function readDashboards(dir: URL = DASHBOARDS_DIR): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: readFileSync(new URL(file, dir), 'utf8') }));
}
