// k6's REST API (`k6 run --address host:port`), as the lab uses it: a runner's status (is it up
// and paused before the run?), the metrics it has registered (with their k6 types), a counter's
// value, and the resume that starts a paused run — the same PATCH the k6-operator's starter sends.
// Checked against k6 v2.2.0.

import type { K6MetricInfo, K6MetricType } from './thresholdSyntax.ts';

/** k6's execution status while paused before the run (lib.ExecutionStatus PausedBeforeRun). */
export const K6_STATUS_PAUSED_BEFORE_RUN = 4;

/** The body of PATCH /v1/status that resumes a paused run. */
export const RESUME_BODY = { data: { type: 'status', id: 'default', attributes: { paused: false } } } as const;

export interface K6Status {
  status: number;
  paused: boolean;
  vus: number;
  running: boolean;
}

async function getJson(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

export async function k6Status(apiUrl: string): Promise<K6Status> {
  const body = (await getJson(`${apiUrl}/v1/status`)) as { data: { attributes: K6Status } };
  return body.data.attributes;
}

/** Up, its VUs initialised, and waiting for the resume. */
export function isPausedBeforeRun(status: K6Status | undefined): boolean {
  return status !== undefined && status.paused && status.status >= K6_STATUS_PAUSED_BEFORE_RUN;
}

export async function resume(apiUrl: string): Promise<void> {
  await getJson(`${apiUrl}/v1/status`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(RESUME_BODY) });
}

/** A counter's count so far; 0 for one k6 has not seen a sample of (it answers 404). */
export async function counterValue(apiUrl: string, metric: string): Promise<number> {
  try {
    const body = (await getJson(`${apiUrl}/v1/metrics/${metric}`)) as { data: { attributes: { sample: { count?: number } } } };
    return body.data.attributes.sample.count ?? 0;
  } catch {
    return 0;
  }
}

/**
 * The metrics k6 has registered so far, by name: before the run, the ones its thresholds name
 * (sub-metrics `name{tag:value}` included) with their type. Others appear once sampled.
 */
export async function registeredMetrics(apiUrl: string): Promise<Record<string, K6MetricInfo>> {
  const body = (await getJson(`${apiUrl}/v1/metrics`)) as {
    data: Array<{ id: string; attributes: { type: K6MetricType; contains: K6MetricInfo['contains'] } }>;
  };
  return Object.fromEntries(body.data.map((m) => [m.id, { type: m.attributes.type, contains: m.attributes.contains }]));
}
