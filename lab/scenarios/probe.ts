// Asks k6 itself, before anything starts, whether a scenario's thresholds are valid and what kind
// of metric each one is on. `k6 inspect` reports the thresholds but checks none of them; `k6 run`
// does, at init. So the probe starts the bundle paused (init only: no setup, no iteration, no
// request), lets k6 validate every threshold against its metrics, reads the registered metrics
// and their types over k6's REST API, and stops it. A threshold k6 refuses (unknown metric,
// an aggregation the metric's type lacks) is an error here, in k6's own words. Loading runs the
// scenario's init code, so the probe has a time limit (k6LoadErrors.ts): an init that never ends
// is an error naming the limit, and the k6 process is killed.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../process/supervisor.ts';
import { hasExited, waitUntil, WaitFailed } from '../process/waitUntil.ts';
import { freePort, LOOPBACK } from '../local/ports.ts';
import { isPausedBeforeRun, k6Status, registeredMetrics } from '../k6/restApi.ts';
import type { K6MetricInfo } from '../k6/thresholdSyntax.ts';
import { K6_LOAD_ENV, k6LoadError, SCENARIO_LOAD_TIMEOUT_MS } from './k6LoadErrors.ts';

export { k6ErrorOf } from './k6LoadErrors.ts';

/** `source`: the scenario file the user wrote, named in errors instead of the bundle. */
export async function probeScenarioMetrics(
  bundlePath: string, env: Record<string, string>, k6: string, timeoutMs = SCENARIO_LOAD_TIMEOUT_MS, source = bundlePath,
): Promise<Record<string, K6MetricInfo>> {
  const dir = mkdtempSync(join(tmpdir(), 'perflab-probe-'));
  const supervisor = new Supervisor(dir);
  try {
    const apiUrl = `http://${LOOPBACK}:${await freePort()}`;
    const proc = supervisor.start('k6-probe', k6, [
      'run', '--paused', '--address', apiUrl.slice('http://'.length), '--summary-mode', 'disabled', '--quiet', '--no-color', bundlePath,
    ], { env: { ...process.env, ...env, ...K6_LOAD_ENV }, stopSignal: 'SIGKILL' });
    try {
      await waitUntil('k6 to load the scenario and check its thresholds', proc,
        async () => isPausedBeforeRun(await k6Status(apiUrl).catch(() => undefined)), { timeoutMs });
    } catch (error) {
      // k6's own words, not a log path: the folder goes with the probe
      if (hasExited(proc)) throw new Error(k6LoadError(readFileSync(proc.logFile, 'utf8'), bundlePath, source));
      if (error instanceof WaitFailed && /^timed out/.test(error.message)) {
        throw new Error(`k6 did not finish loading ${source} within ${timeoutMs / 1000} s (its init code ran that long: a loop that never ends?)`);
      }
      throw error;
    }
    return await registeredMetrics(apiUrl);
  } finally {
    await supervisor.stopAll(2000);
    rmSync(dir, { recursive: true, force: true });
  }
}
