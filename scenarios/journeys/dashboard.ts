// The student dashboard: profile, current career, recent sessions and flow in one call. The
// soak test of the guidelines (§2.4) calls the id-less form, which shows the demo student.

import { group } from 'k6';
import { get, json, step, type Response } from '../lib/http.ts';

const DASHBOARD = { name: 'GetDashboard', endpoint: 'dashboard' } as const;

export function dashboard(studentId?: string): Response {
  return group('Dashboard', () => {
    const path =
      studentId === undefined ? '/api/v1/students/dashboard' : `/api/v1/students/${encodeURIComponent(studentId)}/dashboard`;
    const res = get(path, DASHBOARD);
    const body = json<{ student?: unknown }>(res);
    step(
      res,
      {
        'dashboard loaded': (r) => r.status === 200,
        'dashboard has the student': () => body?.student !== undefined,
      },
      DASHBOARD,
    );
    return res;
  });
}
