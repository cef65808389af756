// Load test (guidelines §2.1): expected traffic, a normal day plus the school-day peaks, running
// the career selection flow, a learning session and the PathIQ flow state.

import { sleep } from 'k6';
import { careerSelectionFlow, flowState, labOptions, learningSession, newStudentId } from 'perflab';

export const options = labOptions({
  slas: [
    'page_load_p95',
    'api_p95',
    'career_selection_p95',
    'content_generation_p95',
    'flow_state_p95',
    'db_query_p95',
    'journey_error_rate',
    'http_error_rate',
    'checks_pass_rate',
  ],
  scenarios: {
    normal_load: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '5m', target: 1000 },
        { duration: '30m', target: 1000 },
        { duration: '5m', target: 0 },
      ],
      gracefulRampDown: '30s',
    },
    peak_hours: {
      executor: 'ramping-vus',
      startTime: '10m',
      startVUs: 0,
      stages: [
        { duration: '5m', target: 5000 }, // morning peak
        { duration: '15m', target: 5000 },
        { duration: '5m', target: 2000 }, // mid-day
        { duration: '10m', target: 2000 },
        { duration: '5m', target: 8000 }, // afternoon peak
        { duration: '15m', target: 8000 },
        { duration: '5m', target: 0 },
      ],
    },
  },
});

export default function (): void {
  const studentId = newStudentId();
  const session = careerSelectionFlow(studentId);
  if (session) learningSession(session.sessionId);
  flowState(studentId);
  sleep(1);
}
