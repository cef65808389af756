// Recommendations fire only on evidence of the run, each citing its figure and its source.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RunSummary } from '../report/summary.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { judgedSlas } from '../sla/catalogue.ts';
import { assessCapacity } from '../capacity/assess.ts';
import { recommend } from './recommend.ts';

const summary = JSON.parse(readFileSync(new URL('../report/fixtures/summary-decisions.json', import.meta.url), 'utf8')) as RunSummary;
const breakpoint = JSON.parse(readFileSync(new URL('../capacity/fixtures/breakpoint-local.json', import.meta.url), 'utf8')) as { runStartMs: number; scenarioSlas: string[]; timeline: Timeline };

test('a clean run: no recommendation', () => {
  const slas = summary.slas.map((s) => (s.id === 'cache_hit_rate' ? { ...s, value: 0.95, status: 'pass' as const } : s));
  const quiet = structuredClone(summary.timeline!);
  quiet.resources = {};
  assert.deepEqual(recommend({ slas, soakChecks: [], endpointGroups: [{ endpoint: 'api', requests: 1000, p95Ms: 12 }], timeline: quiet }), []);
});

test('the recorded breakpoint run: cache hit rate, pool waiting, the slowest endpoints by p95 x volume, the bottleneck; each with its figure and source', () => {
  const t = breakpoint.timeline;
  const capacity = assessCapacity({ timeline: t, slas: judgedSlas(breakpoint.scenarioSlas), runStartMs: breakpoint.runStartMs, target: 'local', maxVUs: 500 });
  const recs = recommend({
    slas: [{ id: 'cache_hit_rate', title: 'Cache hit rate', value: 0.288, threshold: 0.8, op: '>', unit: 'ratio', status: 'fail', samples: 5000, source: '' }],
    soakChecks: [],
    endpointGroups: [{ endpoint: 'api', requests: 9413, p95Ms: 675.6 }, { endpoint: 'career_selection', requests: 4739, p95Ms: 366.6 }, { endpoint: 'health', requests: 10, p95Ms: 1 }],
    timeline: t, capacity,
  });
  const byId = Object.fromEntries(recs.map((r) => [r.id, r]));
  assert.match(byId['cache-hit-rate']!.evidence, /28\.8 %/);
  assert.match(byId['cache-hit-rate']!.source, /§1\.1 "Cache Hit Rate: > 80%", §5\.1/);
  assert.match(byId['db-pool-waiting']!.evidence, /up to 8 request\(s\) waited/);
  assert.match(byId['db-pool-waiting']!.source, /§5\.3 Connection pooling/);
  assert.deepEqual(recs.filter((r) => r.id.startsWith('slow-endpoint-')).map((r) => r.id), ['slow-endpoint-api', 'slow-endpoint-career_selection']);
  assert.match(byId['slow-endpoint-api']!.evidence, /p95 675\.6 ms over 9413 requests/);
  assert.equal(byId['bottleneck-event-loop']!.evidence, capacity.bottleneck!.evidence);
  assert.equal(byId['load-generator'], undefined);
  for (const r of recs) assert.ok(r.evidence && r.action && r.source, r.id);
});
