// Reports: an asynchronous job (queued -> running -> done) requested by a parent or a school.

import { sleep } from 'k6';
import { get, json, postJson, step } from '../lib/http.ts';

const GENERATE = { name: 'GenerateReport', endpoint: 'report' } as const;
const STATUS = { name: 'GetReportStatus', endpoint: 'api' } as const;
const STATES = ['queued', 'running', 'done', 'failed'];

export interface ReportRequest {
  type: string;
  studentIds: string[];
  dateRange: { start: string; end: string };
}

/** Requests a report; returns its job id (undefined when the request failed). */
export function requestReport(request: ReportRequest, checkName = 'report requested'): string | undefined {
  const res = postJson('/api/v1/reports/generate', request, GENERATE, { timeout: '60s' });
  const jobId = json<{ jobId?: string }>(res)?.jobId;
  step(
    res,
    {
      [checkName]: (r) => r.status === 200,
      'async processing': () => typeof jobId === 'string',
    },
    GENERATE,
  );
  return jobId;
}

/** Polls a report job up to `polls` times; returns its last known status. */
export function followReport(jobId: string, polls = 3, pauseSeconds = 0.2): string | undefined {
  let status: string | undefined;
  for (let i = 0; i < polls; i++) {
    const res = get(`/api/v1/reports/${encodeURIComponent(jobId)}`, STATUS);
    status = json<{ status?: string }>(res)?.status;
    step(res, { 'report status known': (r) => r.status === 200 && STATES.includes(status ?? '') }, STATUS);
    if (status === 'done' || status === 'failed') break;
    sleep(pauseSeconds);
  }
  return status;
}
