// Asks k6 itself, before anything starts, whether a scenario's thresholds are valid and what kind
// of metric each one is on. `k6 inspect` reports the thresholds but checks none of them; `k6 run`
// does, at init. So the probe starts the bundle paused (init only: no setup, no iteration, no
// request), lets k6 validate every threshold against its metrics, reads the registered metrics
// and their types over k6's REST API, and stops it. A threshold k6 refuses (unknown metric,
// an aggregation the metric's type lacks) is an error here, in k6's own words.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { hasExited, waitUntil } from '../process/waitUntil.ts';
import { freePort, LOOPBACK } from '../local/ports.ts';
import { isPausedBeforeRun, k6Status, registeredMetrics } from '../k6/restApi.ts';
import type { K6MetricInfo } from '../k6/thresholdSyntax.ts';

/** The message of k6's last error line (`level=error msg="..."`), unescaped; else the log's last line. */
export function k6ErrorOf(log: string): string {
  const errors = [...log.matchAll(/level=error msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
  return errors.at(-1) ?? log.trim().split('\n').at(-1) ?? '(no output)';
}

export async function probeScenarioMetrics(
  bundlePath: string, env: Record<string, string>, k6: string, timeoutMs = 60_000,
): Promise<Record<string, K6MetricInfo>> {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-probe-'));
  const supervisor = new Supervisor(dir);
  try {
    const apiUrl = `http://${LOOPBACK}:${await freePort()}`;
    const proc = supervisor.start('k6-probe', k6, [
      'run', '--paused', '--address', apiUrl.slice('http://'.length), '--summary-mode', 'disabled', '--quiet', '--no-color', bundlePath,
    ], { env: { ...process.env, ...env, K6_NO_USAGE_REPORT: 'true' }, stopSignal: 'SIGKILL' });
    try {
      await waitUntil('k6 to load the scenario and check its thresholds', proc,
        async () => isPausedBeforeRun(await k6Status(apiUrl).catch(() => undefined)), { timeoutMs });
    } catch (error) {
      // k6's own words, not a log path: the folder goes with the probe
      if (hasExited(proc)) throw new Error(k6ErrorOf(readFileSync(proc.logFile, 'utf8')));
      throw error;
    }
    return await registeredMetrics(apiUrl);
  } finally {
    await supervisor.stopAll(2000);
    rmSync(dir, { recursive: true, force: true });
  }
}
