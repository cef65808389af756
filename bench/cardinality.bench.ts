// Cardinality, guarded and unguarded: the same scenario — a fresh id in every URL, no name tag, the
// guidelines' own pattern — run for the same time at the same load, once as the lab runs it (its
// bundle's grouped request names, the runner contract's system tags without `url`) and once as
// plain k6 would (the raw script, k6's default system tags). Each mode writes into its own real
// Prometheus 3.16 (the lab's starter), so the figures are apart: the series the run created, and
// that Prometheus' resident memory at the run's end. Goal: flat, a few hundred series at most,
// whatever the run's length.

import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Supervisor } from '../lab/process/supervisor.ts';
import { startPrometheus } from '../lab/local/prometheus.ts';
import { LOOPBACK } from '../lab/local/ports.ts';
import { ensureK6 } from '../lab/k6/binary.ts';
import { runK6Runners } from '../lab/local/k6Runners.ts';
import { bundleScenario } from '../lab/scenarios/bundle.ts';
import { PrometheusClient } from '../lab/analysis/prometheusClient.ts';
import { countSeries } from '../lab/analysis/cardinality.ts';

const DURATION_S = 30;
const VUS = 4;

const SCRIPT = `
import http from 'k6/http';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: ${VUS}, duration: '${DURATION_S}s' } } };
export default function () {
  const studentId = \`student_\${__VU}_\${__ITER}\`;
  http.get(\`\${__ENV.BASE_URL}/api/v1/students/\${studentId}/careers/pool\`);
}
`;

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

export async function run(log: (line: string) => void): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'perflab-bench-cardinality-'));
  const app = createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => app.listen(0, LOOPBACK, resolve));
  const baseUrl = `http://${LOOPBACK}:${(app.address() as AddressInfo).port}`;
  const raw = join(root, 'ids.js');
  writeFileSync(raw, SCRIPT);
  const bundle = join(root, 'ids.bundle.js');
  await bundleScenario(raw, bundle);
  const figures: Record<string, unknown> = { scenario: `${VUS} VUs for ${DURATION_S} s, a fresh student id in every URL, no name tag` };
  try {
    for (const [mode, script, keepSystemTags] of [['guarded', bundle, false], ['unguarded', raw, true]] as const) {
      const stateDir = join(root, mode);
      const supervisor = new Supervisor(stateDir);
      try {
        const prometheus = await startPrometheus({ stateDir, supervisor });
        await prometheus.waitReady(30_000);
        const baselineMb = rssMb(prometheus.process.pid);
        const testid = `cardinality-${mode}`;
        const runners = await runK6Runners({
          k6Binary: ensureK6(), bundlePath: script, parallelism: 1, testid, prometheusRwUrl: prometheus.remoteWriteUrl,
          env: { BASE_URL: baseUrl }, resultsDir: join(stateDir, 'results'), supervisor, keepSystemTags,
        });
        await new Promise((r) => setTimeout(r, 2000)); // the last push
        const client = new PrometheusClient(prometheus.url);
        const { series } = await countSeries(client, `testid="${testid}"`, false);
        const requests = (await client.value(`sum(k6_http_reqs_total{testid="${testid}"})`)) ?? 0;
        const result = {
          series, requests, prometheusRssMb: Math.round(rssMb(prometheus.process.pid)), prometheusRssBeforeMb: Math.round(baselineMb),
          runnerExit: runners[0]?.exitCode ?? null,
        };
        log(`${mode}: ${requests} requests -> ${series} series; Prometheus RSS ${result.prometheusRssBeforeMb} -> ${result.prometheusRssMb} MB`);
        figures[mode] = result;
      } finally {
        await supervisor.stopAll();
      }
    }
  } finally {
    app.close();
    rmSync(root, { recursive: true, force: true });
  }
  return figures;
}
