// The guidelines' "PathIQ Analysis" (§2.1): the student's flow state, a cached analysis
// (pathIQAnalysis TTL 300 s) whose latency is an SLA of its own.

import { group } from 'k6';
import { get, json, step } from '../lib/http.ts';
import { flowStateLatency } from '../lib/metrics.ts';

const FLOW = { name: 'GetFlowState', endpoint: 'api' } as const;

export function flowState(studentId: string): number | undefined {
  return group('PathIQ Analysis', () => {
    const res = get(`/api/v1/students/${encodeURIComponent(studentId)}/flow-state`, FLOW);
    // a request cut off (status 0: timeout, run stopping) has no latency worth judging
    if (res.status !== 0) flowStateLatency.add(res.timings.duration, { ...FLOW });
    const percentage = json<{ percentage?: number }>(res)?.percentage;
    step(
      res,
      {
        'flow state retrieved': (r) => r.status === 200,
        'flow percentage valid': () => typeof percentage === 'number' && percentage >= 0 && percentage <= 100,
      },
      FLOW,
    );
    return percentage;
  });
}
