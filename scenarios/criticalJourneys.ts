// The guidelines' critical user journeys (§3.1), one after another as a school day has them:
// the morning login surge (spike to 50 000 students over 10 min, 1 h), the career selection rush
// (30 000 students sustained for 30 min) and parent evening access (gradual to 20 000 parents
// over 2 h). Each journey keeps its own assertions from the catalogue.

import {
  careerSelectionFlow,
  labOptions,
  morningLogin,
  newStudentId,
  parentEvening,
  returningStudentId,
  thinkTime,
} from 'perflab';

export const options = labOptions({
  slas: ['login_p95', 'career_selection_p95', 'dashboard_p95', 'report_request_p95', 'journey_error_rate', 'http_error_rate'],
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

export default function (): void {
  morningLoginSurge();
}
