// A run id: names the results folder, tags every k6 sample (testid) and names the TestRun and its
// ConfigMap, so it must be a DNS-1123 label of at most 30 characters (the TestRun builder's limit:
// the operator derives job names from it). Shape: <scenario>-<yymmdd>-<hhmmss>-<4 hex>, UTC.

import { randomBytes } from 'node:crypto';

export const MAX_RUN_ID = 30;

export function newRunId(scenarioName: string, now: Date = new Date(), suffix: string = randomBytes(2).toString('hex')): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${p(now.getUTCFullYear() % 100)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const room = MAX_RUN_ID - stamp.length - suffix.length - 2;
  const name = scenarioName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, room).replace(/-+$/, '') || 'run';
  return `${name}-${stamp}-${suffix}`;
}
