// The guidelines' "Parent Evening Access" (§3.1): parents check their child's dashboard and ask
// for a progress report (dashboardLoad < 2s, reportGeneration < 5s).

import { group } from 'k6';
import { thinkTime } from '../lib/env.ts';
import { dashboard } from './dashboard.ts';
import { followReport, requestReport } from './reports.ts';

export function parentEvening(studentId: string): void {
  group('Parent Evening Access', () => {
    dashboard(studentId);
    thinkTime(2, 5);
    const jobId = requestReport({
      type: 'progress',
      studentIds: [studentId],
      dateRange: { start: '2024-09-01', end: '2025-06-30' },
    });
    if (jobId) followReport(jobId);
  });
}
