// The Prometheus HTTP API, as the analysis and the progress line need it: instant queries at a
// given time, range queries, readiness. Works against the local lab's Prometheus and the
// cluster's (through a port-forward or an ingress URL).

export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  labels: Record<string, string>;
  points: Array<{ timeMs: number; value: number }>;
}

export class PrometheusError extends Error {}

interface ApiResponse {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: {
    resultType: 'vector' | 'matrix' | 'scalar' | 'string';
    result: unknown;
  };
}

export class PrometheusClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly timeoutMs = 15_000) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async get(path: string, params: Record<string, string>): Promise<ApiResponse['data']> {
    const url = `${this.baseUrl}${path}?${new URLSearchParams(params)}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new PrometheusError(`Prometheus at ${this.baseUrl} is unreachable: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as ApiResponse | undefined;
    if (!body || body.status !== 'success') {
      throw new PrometheusError(`Prometheus query failed (HTTP ${response.status}): ${body?.error ?? 'no JSON body'} [${params.query ?? path}]`);
    }
    return body.data;
  }

  /** Instant query; `timeMs` defaults to now. NaN and ±Inf values are dropped. */
  async query(expr: string, timeMs?: number): Promise<InstantSample[]> {
    const params: Record<string, string> = { query: expr };
    if (timeMs !== undefined) params.time = (timeMs / 1000).toFixed(3);
    const data = await this.get('/api/v1/query', params);
    if (data?.resultType === 'scalar') {
      const [, v] = data.result as [number, string];
      return Number.isFinite(Number(v)) ? [{ labels: {}, value: Number(v) }] : [];
    }
    const result = (data?.result ?? []) as Array<{ metric: Record<string, string>; value?: [number, string] }>;
    return result
      .filter((r) => r.value !== undefined && Number.isFinite(Number(r.value[1])))
      .map((r) => ({ labels: r.metric, value: Number(r.value![1]) }));
  }

  /** The single value of an aggregating query, or undefined when there is none. */
  async value(expr: string, timeMs?: number): Promise<number | undefined> {
    const samples = await this.query(expr, timeMs);
    return samples[0]?.value;
  }

  /** Instant query of a range vector (`metric[5m]`): every raw sample of every series. */
  async queryMatrix(expr: string, timeMs?: number): Promise<RangeSeries[]> {
    const params: Record<string, string> = { query: expr };
    if (timeMs !== undefined) params.time = (timeMs / 1000).toFixed(3);
    const data = await this.get('/api/v1/query', params);
    if (data?.resultType !== 'matrix') throw new PrometheusError(`expected a range vector from [${expr}], got ${data?.resultType}`);
    return toSeries(data.result);
  }

  async queryRange(expr: string, startMs: number, endMs: number, stepS: number): Promise<RangeSeries[]> {
    const data = await this.get('/api/v1/query_range', {
      query: expr,
      start: (startMs / 1000).toFixed(3),
      end: (endMs / 1000).toFixed(3),
      step: String(Math.max(1, Math.round(stepS))),
    });
    return toSeries(data?.result);
  }

  /** The label names of the series `match` selects (e.g. `{testid="x"}`). */
  async labelNames(match: string): Promise<string[]> {
    const url = `${this.baseUrl}/api/v1/labels?${new URLSearchParams({ 'match[]': match })}`;
    try {
      const body = (await (await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) })).json()) as { status: string; data?: string[] };
      return body.status === 'success' ? body.data ?? [] : [];
    } catch (error) {
      throw new PrometheusError(`Prometheus at ${this.baseUrl} is unreachable: ${(error as Error).message}`);
    }
  }

  async isReady(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/-/ready`, { signal: AbortSignal.timeout(this.timeoutMs) });
      return response.ok;
    } catch {
      return false;
    }
  }
}

function toSeries(result: unknown): RangeSeries[] {
  const rows = (result ?? []) as Array<{ metric: Record<string, string>; values?: Array<[number, string]> }>;
  return rows.map((r) => ({
    labels: r.metric,
    points: (r.values ?? [])
      .map(([t, v]) => ({ timeMs: t * 1000, value: Number(v) }))
      .filter((p) => Number.isFinite(p.value)),
  }));
}
