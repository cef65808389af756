// The load-testing request's API phase (Phase 1): three concurrent scenarios, each with its own
// executor, as the request wrote them: a ramping-vus OAuth-like login, a constant-vus mobile API
// and a ramping-arrival-rate content API.

import { sleep } from 'k6';
import {
  careerSelectionFlow,
  dashboard,
  flowState,
  labOptions,
  login,
  newStudentId,
  returningStudentId,
  thinkTime,
  trendingCareers,
} from 'perflab';

export const options = labOptions({
  slas: ['all_endpoints_p95', 'waiting_p90', 'api_p95', 'login_p95', 'cache_hit_rate', 'http_error_rate', 'checks_pass_rate'],
  scenarios: {
    oauth_authentication: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '2m', target: 50 },
        { duration: '5m', target: 50 },
        { duration: '2m', target: 100 },
        { duration: '5m', target: 100 },
        { duration: '2m', target: 0 },
      ],
      exec: 'oauthAuthentication',
    },
    mobile_api_endpoints: {
      executor: 'constant-vus',
      vus: 200,
      duration: '10m',
      exec: 'mobileApi',
    },
    content_management: {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 200,
      stages: [
        { duration: '5m', target: 50 },
        { duration: '10m', target: 100 },
        { duration: '5m', target: 0 },
      ],
      exec: 'contentApi',
    },
  },
});

/** Logins of students arriving for the day. */
export function oauthAuthentication(): void {
  login(newStudentId('oauth'));
  thinkTime(1, 2);
}

/** A mobile app polling what a returning student sees: cached reads mostly. */
export function mobileApi(): void {
  const studentId = returningStudentId(20, 'mobile');
  dashboard(studentId);
  flowState(studentId);
  trendingCareers();
  thinkTime(1, 3);
}

/** Content requests at a rising arrival rate (select a career, generate its content). */
export function contentApi(): void {
  careerSelectionFlow(newStudentId('content'));
}

export default function (): void {
  sleep(1);
}
