// Volume test (guidelines §2.5): large data sets. A student with a long career history read in
// pages of 1000, a school enrolling 100 students in one all-or-nothing transaction, and a
// comprehensive report over 500 students. The guidelines give no load shape for it (monthly,
// data-bound); a modest, steady 50 users is used at full scale.

import exec from 'k6/execution';
import { group } from 'k6';
import { careerHistory, json, labOptions, postJson, requestReport, step, thinkTime } from 'perflab';

export const options = labOptions({
  slas: ['page_load_p95', 'report_request_p95', 'db_query_p95', 'http_error_rate', 'checks_pass_rate'],
  scenarios: {
    volume: {
      executor: 'ramping-vus',
      stages: [
        { duration: '5m', target: 50 },
        { duration: '20m', target: 50 },
        { duration: '5m', target: 0 },
      ],
    },
  },
});

const BULK = { name: 'BulkEnroll', endpoint: 'api' } as const;
const BULK_SIZE = 100;
const REPORT_STUDENTS = 500;

export default function (): void {
  const vu = exec.vu.idInTest;
  const iteration = exec.vu.iterationInScenario;

  group('Large Career History', () => {
    careerHistory(`volume_test_${vu}`, 1000, 2);
  });

  group('Bulk Operations', () => {
    const students = Array.from({ length: BULK_SIZE }, (_, i) => ({
      name: `Student ${vu}-${iteration}-${i}`,
      grade: Math.floor(Math.random() * 12) + 1,
      schoolId: 'test-school',
    }));
    const res = postJson('/api/v1/schools/bulk-enroll', { students }, BULK, { timeout: '30s' });
    const created = json<{ created?: number }>(res)?.created;
    step(
      res,
      {
        'bulk operation successful': (r) => r.status === 200,
        'all students created': () => created === BULK_SIZE,
      },
      BULK,
    );
  });

  group('Large Content Generation', () => {
    requestReport(
      {
        type: 'comprehensive',
        studentIds: Array.from({ length: REPORT_STUDENTS }, (_, i) => `student_${i}`),
        dateRange: { start: '2024-01-01', end: '2024-12-31' },
      },
      'large report generated',
    );
  });

  thinkTime(1, 3);
}
