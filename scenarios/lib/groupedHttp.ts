// `k6/http` as every scenario bundle sees it (lab/scenarios/bundle.ts routes the import here): the
// real module, except that a request without a `name` tag gets its URL grouped as its name
// (lab/k6/urlGrouping.ts), so a script that puts ids in its URLs does not make one Prometheus
// series per request. A request that sets `tags.name`, and an `http.url` template (k6 names those
// itself), is left as it is. The user's script does not change.

import http, { type Params } from 'k6/http';
import { groupUrl } from '../../lab/k6/urlGrouping.ts';

export * from 'k6/http';

function named<P extends Params | null | undefined>(url: unknown, params: P): P | Params {
  if (typeof url !== 'string' || params?.tags?.name !== undefined) return params;
  return { ...params, tags: { ...params?.tags, name: groupUrl(url) } };
}

type Request = Parameters<typeof http.batch>[0] extends Array<infer R> ? R : never;

/** One request of a batch, in any of its forms, named like a single request. */
function namedRequest(r: unknown): unknown {
  if (typeof r === 'string') return { method: 'GET', url: r, params: named(r, undefined) };
  if (Array.isArray(r)) {
    const [method, url, body, params] = r as [string, unknown, unknown, Params | undefined];
    return [method, url, body ?? null, named(url, params)];
  }
  if (r && typeof r === 'object' && 'url' in r) {
    const o = r as { url: unknown; params?: Params };
    return { ...o, params: named(o.url, o.params) };
  }
  return r;
}

export const get = ((url: string, params?: Params | null) => http.get(url, named(url, params))) as typeof http.get;
export const head = ((url: string, params?: Params | null) => http.head(url, named(url, params))) as typeof http.head;
export const del = ((url: string, body?: never, params?: Params | null) => http.del(url, body, named(url, params))) as typeof http.del;
export const options = ((url: string, body?: never, params?: Params | null) => http.options(url, body, named(url, params))) as typeof http.options;
export const patch = ((url: string, body?: never, params?: Params | null) => http.patch(url, body, named(url, params))) as typeof http.patch;
export const post = ((url: string, body?: never, params?: Params | null) => http.post(url, body, named(url, params))) as typeof http.post;
export const put = ((url: string, body?: never, params?: Params | null) => http.put(url, body, named(url, params))) as typeof http.put;
export const request = ((method: string, url: string, body?: never, params?: Params | null) =>
  http.request(method, url, body, named(url, params))) as typeof http.request;
export const asyncRequest = ((method: string, url: string, body?: never, params?: Params | null) =>
  http.asyncRequest(method, url, body, named(url, params))) as typeof http.asyncRequest;
export const batch = ((requests: Request[] | Record<string, Request>) => {
  const grouped = Array.isArray(requests)
    ? requests.map(namedRequest)
    : Object.fromEntries(Object.entries(requests).map(([k, r]) => [k, namedRequest(r)]));
  return http.batch(grouped as never);
}) as typeof http.batch;

export default { ...http, get, head, del, options, patch, post, put, request, asyncRequest, batch };
