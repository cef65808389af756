// The guidelines' critical user journeys (§3.1), one after another as a school day has them:
// the morning login surge (spike to 50 000 students over 10 min, 1 h), the career selection rush
// (30 000 students sustained for 30 min) and parent evening access (gradual to 20 000 parents
// over 2 h). Each journey keeps its own assertions from the catalogue. Beside the protocol VUs, a
// few browser VUs walk the students' journey in Chromium all day (a hybrid test: the protocol VUs
// make the load, the browser VUs measure what a student sees under it — Web Vitals, time to career
// selection; 10 browsers beside 100 000 protocol VUs at full scale, one in a smoke run).

import {
  BROWSER_OPTIONS,
  careerSelectionFlow,
  labOptions,
  morningLogin,
  newStudentId,
  parentEvening,
  returningStudentId,
  studentJourneyInBrowser,
  thinkTime,
} from 'perflab';

export const options = labOptions({
  slas: [
    'login_p95', 'career_selection_p95', 'dashboard_p95', 'report_request_p95', 'journey_error_rate', 'http_error_rate',
    'web_vital_lcp_p95', 'time_to_career_selection_p95',
  ],
  scenarios: {
    morning_login_surge: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '10m', target: 50000 }, // rampTime 10m to peakUsers 50 000
        { duration: '40m', target: 50000 },
        { duration: '10m', target: 0 },
      ],
      exec: 'morningLoginSurge',
    },
    career_selection_rush: {
      executor: 'constant-vus',
      startTime: '1h',
      vus: 30000,
      duration: '30m',
      exec: 'careerSelectionRush',
    },
    parent_evening_access: {
      executor: 'ramping-vus',
      startTime: '1h30m',
      startVUs: 0,
      stages: [
        { duration: '1h', target: 20000 }, // gradual
        { duration: '1h', target: 0 },
      ],
      exec: 'parentEveningAccess',
    },
    students_in_browser: {
      executor: 'constant-vus',
      vus: 10,
      duration: '3h30m', // the whole school day, morning surge to parent evening
      exec: 'studentInBrowser',
      options: BROWSER_OPTIONS,
    },
  },
});

export function morningLoginSurge(): void {
  morningLogin(newStudentId('morning'));
  thinkTime(2, 5);
}

export function careerSelectionRush(): void {
  careerSelectionFlow(newStudentId('rush'));
  thinkTime(1, 3);
}

export function parentEveningAccess(): void {
  parentEvening(returningStudentId(50, 'family'));
  thinkTime(5, 10);
}

export async function studentInBrowser(): Promise<void> {
  await studentJourneyInBrowser(newStudentId('browser'));
  thinkTime(5, 10);
}

export default function (): void {
  morningLoginSurge();
}
