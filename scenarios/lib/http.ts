// Every request a scenario makes goes through here, so that each one is tagged with a `name` and
// its `endpoint` group (the SLA catalogue judges groups), and each response feeds the metrics
// only the service's headers can give: database time from `Server-Timing: db;dur=<ms>` and cache
// hits from `X-Cache: HIT|MISS`.

import http, { type RefinedParams, type RefinedResponse, type RequestBody, type ResponseType } from 'k6/http';
import { check } from 'k6';
import type { EndpointGroup } from '../../lab/sla/catalogue.ts';
import { BASE_URL } from './env.ts';
import { cacheHits, dbQueryDuration, errors } from './metrics.ts';

/** The two tags every request carries. */
export interface RequestTags {
  /** a stable request name (the guidelines' GetCareerPool, SelectCareer, ...). */
  name: string;
  endpoint: EndpointGroup;
}

export type Response = RefinedResponse<ResponseType | undefined>;
type Params = RefinedParams<ResponseType | undefined>;

export function url(path: string): string {
  return `${BASE_URL}${path.startsWith('/') ? path : `/${path}`}`;
}

function header(res: Response, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(res.headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

/** `db;dur=12.3, cache;dur=0.4` -> 12.3 (undefined when absent). */
export function serverTimingMs(headerValue: string | undefined, metric: string): number | undefined {
  if (!headerValue) return undefined;
  for (const part of headerValue.split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim() !== metric) continue;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'dur' && value !== undefined && value !== '' && !Number.isNaN(Number(value))) return Number(value);
    }
  }
  return undefined;
}

/** Records what the response headers tell about the server side of this request. */
export function observe(res: Response, tags: RequestTags): void {
  const db = serverTimingMs(header(res, 'Server-Timing'), 'db');
  if (db !== undefined) dbQueryDuration.add(db, { ...tags });
  const cache = header(res, 'X-Cache');
  if (cache !== undefined) cacheHits.add(cache.toUpperCase() === 'HIT', { ...tags });
}

function withTags(tags: RequestTags, params: Params = {}): Params {
  return { ...params, tags: { ...(params.tags ?? {}), name: tags.name, endpoint: tags.endpoint } };
}

export function get(path: string, tags: RequestTags, params?: Params): Response {
  const res = http.get(url(path), withTags(tags, params));
  observe(res, tags);
  return res;
}

export function post(path: string, body: RequestBody | null, tags: RequestTags, params?: Params): Response {
  const res = http.post(url(path), body, withTags(tags, params));
  observe(res, tags);
  return res;
}

export function postJson(path: string, payload: unknown, tags: RequestTags, params: Params = {}): Response {
  const headers = { 'Content-Type': 'application/json', ...(params.headers ?? {}) };
  return post(path, JSON.stringify(payload), tags, { ...params, headers });
}

/** The JSON body, or undefined when there is none or it is not JSON (a check then fails cleanly). */
export function json<T>(res: Response): T | undefined {
  if (typeof res.body !== 'string' || res.body === '') return undefined;
  try {
    return JSON.parse(res.body) as T;
  } catch {
    return undefined;
  }
}

/**
 * A journey step's checks; the step counts once in the guidelines' `errors` Rate (1 = failed).
 * Returns whether every check passed.
 */
export function step<T>(value: T, checks: Record<string, (v: T) => boolean>, tags?: RequestTags): boolean {
  const ok = check(value, checks, tags ? { ...tags } : undefined);
  errors.add(!ok, tags ? { ...tags } : undefined);
  return ok;
}
