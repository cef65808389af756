// The local lab's two figures:
//  1. cold start to ready (every check green) of startLocalLab, a few times, median;
//     goal: under 8 s on the 2-core machine. Measured from the machine's seeded Postgres template
//     (what every start but the first on a machine does); when this run had to build it, that
//     start is reported apart (firstStartOnMachine) and one more start is measured.
//  2. k6 throughput through the lab's runners (N=2: segments, paused + resumed together,
//     remote-write to Prometheus) vs one plain `k6 run` of the same script against the same
//     target in the same lab, alternating so both see the same machine; goal: >= 95 %.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureK6 } from '../lab/k6/binary.ts';
import { startLocalLab } from '../lab/local/localLab.ts';
import { runK6Runners } from '../lab/local/k6Runners.ts';

const COLD_STARTS = 3;
const ROUNDS = 2;
const VUS = 8;
const DURATION = '15s';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** requests per second over the run, from a k6 summary export. */
function requestsPerSecond(summaryPaths: string[]): number {
  return summaryPaths.reduce((sum, path) => {
    const summary = JSON.parse(readFileSync(path, 'utf8')) as { metrics: { http_reqs: { rate: number } } };
    return sum + summary.metrics.http_reqs.rate;
  }, 0);
}

function plainK6Run(k6: string, script: string, summary: string, env: Record<string, string>): Promise<number> {
  const child = spawn(k6, ['run', '--quiet', '--no-color', '--summary-export', summary, script], {
    env: { ...process.env, ...env, K6_NO_USAGE_REPORT: 'true' }, stdio: 'ignore',
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
}

export async function run(log: (line: string) => void): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'perflab-bench-locallab-'));
  try {
    const coldStarts: Array<{ ms: number; phasesMs: Record<string, number> }> = [];
    let firstStartOnMachine: { ms: number; phasesMs: Record<string, number>; seedIntoTemplateMs?: number } | undefined;
    for (let i = 1; coldStarts.length < COLD_STARTS && i <= COLD_STARTS + 1; i++) {
      const lab = await startLocalLab({ runId: `bench-cold-${i}`, stateDir: join(root, `cold-${i}`) });
      const { template } = lab.dataTier.postgres;
      const start = { ms: lab.readiness.coldStartMs!, phasesMs: lab.readiness.phasesMs! };
      if (template.built) firstStartOnMachine = { ...start, ...(template.setupMs !== undefined ? { seedIntoTemplateMs: template.setupMs } : {}) };
      else coldStarts.push(start);
      log(`cold start ${i}${template.built ? ' (built the seeded template: not counted)' : ''}: ${start.ms} ms ${JSON.stringify(start.phasesMs)}`);
      await lab.stop();
    }
    const coldStartMedianMs = median(coldStarts.map((c) => c.ms));
    log(`cold start to ready: median ${coldStartMedianMs} ms over ${COLD_STARTS} (goal < 8000 ms)`);

    const k6 = ensureK6();
    const lab = await startLocalLab({ runId: 'bench-throughput', stateDir: join(root, 'throughput') });
    try {
      const script = join(root, 'throughput.js');
      // the same requests a journey makes most: a cached JSON read and the health check
      writeFileSync(script, `
        import http from 'k6/http';
        import { check } from 'k6';
        export const options = { vus: ${VUS}, duration: '${DURATION}' };
        export default function () {
          const r = http.get(__ENV.BASE_URL + '/api/v1/careers/trending', { tags: { endpoint: 'api' } });
          check(r, { 'status 200': (res) => res.status === 200 });
        }`);
      const env = { BASE_URL: lab.endpoints.targetBaseUrl! };
      const plain: number[] = [];
      const runners: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const summary = join(root, `plain-${round}.json`);
        const code = await plainK6Run(k6, script, summary, env);
        if (code !== 0) throw new Error(`plain k6 run exited ${code}`);
        plain.push(requestsPerSecond([summary]));
        const results = await runK6Runners({
          k6Binary: k6, bundlePath: script, parallelism: 2, testid: `bench-${round}`,
          prometheusRwUrl: lab.prometheus.remoteWriteUrl, env, resultsDir: join(root, `runners-${round}`),
        });
        const failed = results.filter((r) => r.exitCode !== 0 || !r.summaryPath);
        if (failed.length) throw new Error(`runner(s) ${failed.map((r) => r.instance).join(', ')} failed; see ${failed[0]!.logFile}`);
        runners.push(requestsPerSecond(results.map((r) => r.summaryPath!)));
        log(`round ${round}: plain ${plain.at(-1)!.toFixed(0)} req/s, 2 runners ${runners.at(-1)!.toFixed(0)} req/s`);
      }
      const plainRps = median(plain);
      const runnersRps = median(runners);
      const ratio = runnersRps / plainRps;
      log(`throughput: 2 runners ${runnersRps.toFixed(0)} req/s vs plain ${plainRps.toFixed(0)} req/s = ${(ratio * 100).toFixed(1)} % (goal >= 95 %)`);
      return {
        coldStartMedianMs,
        coldStartsMs: coldStarts.map((c) => c.ms),
        coldStartPhasesMs: coldStarts.map((c) => c.phasesMs),
        coldStartGoalMs: 8000,
        ...(firstStartOnMachine ? { firstStartOnMachine } : {}),
        throughput: {
          vus: VUS, duration: DURATION, rounds: ROUNDS,
          plainRps: Math.round(plainRps), runnersRps: Math.round(runnersRps),
          plainRpsEach: plain.map(Math.round), runnersRpsEach: runners.map(Math.round),
          ratio: Number(ratio.toFixed(3)), goal: 0.95,
        },
      };
    } finally {
      await lab.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
