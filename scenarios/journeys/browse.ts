// Light reads every scenario can mix in: trending careers (cached for everyone), the health
// check, and a student's career history (keyset pagination).

import { get, json, step, type Response } from '../lib/http.ts';

const TRENDING = { name: 'GetTrendingCareers', endpoint: 'api' } as const;
const HEALTH = { name: 'GetHealth', endpoint: 'health' } as const;
const HISTORY = { name: 'GetCareerHistory', endpoint: 'api' } as const;

export function trendingCareers(): Response {
  const res = get('/api/v1/careers/trending', TRENDING);
  const careers = json<{ careers?: unknown[] }>(res)?.careers;
  step(
    res,
    {
      'handles spike': (r) => r.status === 200 || r.status === 429,
      'trending careers listed': (r) => r.status !== 200 || Array.isArray(careers),
    },
    TRENDING,
  );
  return res;
}

export function health(): Response {
  const res = get('/api/v1/health', HEALTH);
  const status = json<{ status?: string }>(res)?.status;
  step(
    res,
    {
      'system responds': (r) => r.status !== 0,
      'not in maintenance': (r) => r.status !== 503,
      'healthy or degraded': () => status === 'healthy' || status === 'degraded',
    },
    HEALTH,
  );
  return res;
}

interface HistoryPage {
  items?: unknown[];
  hasMore?: boolean;
  nextCursor?: string;
}

/** Reads up to `pages` pages of `limit` items; returns how many items were read. */
export function careerHistory(studentId: string, limit: number, pages = 1): number {
  let cursor: string | undefined;
  let read = 0;
  for (let page = 0; page < pages; page++) {
    const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = get(`/api/v1/students/${encodeURIComponent(studentId)}/career-history?${query}`, HISTORY, { timeout: '30s' });
    const body = json<HistoryPage>(res);
    step(
      res,
      {
        'handles large history': (r) => r.status === 200,
        'pagination works': () => typeof body?.hasMore === 'boolean' && Array.isArray(body.items),
        'page within limit': () => (body?.items?.length ?? 0) <= limit,
      },
      HISTORY,
    );
    read += body?.items?.length ?? 0;
    if (!body?.hasMore || !body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return read;
}
