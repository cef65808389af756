// Soak test (guidelines §2.4): 5000 users for 8 hours on the dashboard, to surface leaks and slow
// degradation. Degradation (last window vs first) and the memory trend are judged by the lab's
// analysis over Prometheus (SOAK_RULES in the catalogue); per-request checks against a single
// first response would only measure noise.

import exec from 'k6/execution';
import { dashboard, get, json, labOptions, parentEvening, returningStudentId } from 'perflab';

export const options = labOptions({
  slas: ['page_load_p95', 'dashboard_p95', 'http_error_rate', 'checks_pass_rate'],
  scenarios: {
    soak: {
      executor: 'constant-vus',
      vus: 5000,
      duration: '8h',
    },
  },
});

const MEMORY = { name: 'GetMemory', endpoint: 'api' } as const;

export default function (): void {
  dashboard();
  // one in ten iterations is a parent checking a child: reads plus a report job
  if (exec.vu.iterationInScenario % 10 === 5) parentEvening(returningStudentId());
  // the target's own view of its memory, now and then (the verdict uses Prometheus)
  if (exec.vu.iterationInScenario % 1000 === 0 && exec.vu.idInTest === 1) {
    const memory = json<{ heapUsed?: number; heapTotal?: number; rss?: number }>(get('/api/v1/metrics/memory', MEMORY));
    if (memory) console.log(`Memory usage: ${memory.heapUsed}MB / ${memory.heapTotal}MB (rss ${memory.rss}MB)`);
  }
}
