// The guidelines' "Morning Login Surge" (§3.1) and the student morning flow: log in (OAuth-like
// token), load the dashboard, select a career and load its content.

import { group } from 'k6';
import { thinkTime } from '../lib/env.ts';
import { json, postJson, step } from '../lib/http.ts';
import { careerSelectionFlow, type SelectedCareer } from './careerSelection.ts';
import { dashboard } from './dashboard.ts';

const LOGIN = { name: 'Login', endpoint: 'login' } as const;

/** OAuth-like login; returns the opaque token (undefined when login failed). */
export function login(studentId: string): string | undefined {
  const res = postJson('/api/v1/auth/login', { studentId }, LOGIN);
  const token = json<{ token?: string }>(res)?.token;
  step(
    res,
    {
      'logged in': (r) => r.status === 200,
      'token issued': () => typeof token === 'string' && token.length > 0,
    },
    LOGIN,
  );
  return token;
}

export function morningLogin(studentId: string): SelectedCareer | undefined {
  return group('Morning Login', () => {
    if (!login(studentId)) return undefined;
    thinkTime(1, 2);
    dashboard(studentId);
    thinkTime(1, 3);
    return careerSelectionFlow(studentId);
  });
}
