// Does the service under test answer at all? One GET of --base-url, before the runners start, so a
// typo or a service that is down fails in seconds as a lab failure naming the URL and the error,
// instead of a full run of 100 % errors judged as an SLA failure. Any HTTP status is an answer
// (a 404 or 401 at the root is a service that is up); no answer within the timeout — connection
// refused, a name that does not resolve, TLS refused, silence — is not. A service that refuses
// plain GETs (or must not see one) is run with --no-base-url-check.
//
// node:http, not fetch: fetch refuses the WHATWG "bad ports" (1, 6000, 6665-6669, ...) that k6
// reaches without complaint, and would name a port problem where the service is the problem.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** How long the GET may take: a service that is up answers within this even when it is slow. */
export const BASE_URL_CHECK_TIMEOUT_MS = 3000;

/** The reason `url` does not answer a GET within `timeoutMs`, or undefined when it answers (any status). */
export function baseUrlProblem(url: string, timeoutMs: number = BASE_URL_CHECK_TIMEOUT_MS): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (problem: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(problem);
    };
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method: 'GET', headers: { 'user-agent': 'perflab base-url check' } }, (res) => {
      res.resume();
      settle(undefined);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const message = error.message || String(error);
      settle(error.code && !message.includes(error.code) ? `${error.code}: ${message}` : message);
    });
    const timer = setTimeout(() => settle(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    req.end();
  });
}
