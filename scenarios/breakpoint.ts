// Breakpoint test (capacity planning; DESIGN "capacity-planning session", guidelines §1.1 throughput targets): the arrival rate of the core journey keeps
// rising until an SLA threshold fails, and k6 stops right there (abortOnFail). The rate reached
// at the abort is the capacity of the deployment under test.

import { careerSelectionFlow, flowState, labOptions, newStudentId } from 'perflab';

export const options = labOptions({
  slas: ['all_endpoints_p95', 'career_selection_p95', 'http_error_rate'],
  abortOnFail: { delayAbortEval: '30s' },
  scenarios: {
    breakpoint: {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      timeUnit: '1s',
      preAllocatedVUs: 200,
      maxVUs: 20000,
      stages: [{ duration: '2h', target: 10000 }],
    },
  },
});

export default function (): void {
  const studentId = newStudentId('capacity');
  careerSelectionFlow(studentId);
  flowState(studentId);
}
