// The guidelines' "Learning Session" (§2.1): a student answers questions in a session, thinking
// one to three seconds between answers (shortened by the smoke and ci profiles).

import { group } from 'k6';
import { thinkTime } from '../lib/env.ts';
import { json, postJson, step } from '../lib/http.ts';

const INTERACT = { name: 'StudentInteraction', endpoint: 'api' } as const;

export function learningSession(sessionId: string, interactions = 10): void {
  group('Learning Session', () => {
    for (let i = 0; i < interactions; i++) {
      const res = postJson(
        `/api/v1/sessions/${encodeURIComponent(sessionId)}/interact`,
        { type: 'answer', data: { questionId: i, answer: Math.random() > 0.7 } },
        INTERACT,
      );
      const body = json<{ recorded?: boolean }>(res);
      step(res, { 'interaction recorded': (r) => r.status === 200 && body?.recorded === true }, INTERACT);
      thinkTime(1, 3);
    }
  });
}
