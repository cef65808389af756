// The guidelines' "Career Selection Flow" (§2.1): the student's pool of four careers, a
// selection (a transaction on the primary) and the content generated for the new session.

import { group } from 'k6';
import { get, json, postJson, step } from '../lib/http.ts';
import { careerSelectionDuration, contentGenerationDuration } from '../lib/metrics.ts';

interface Career {
  id: string;
  name: string;
}
interface Selection {
  sessionId?: string;
  careerId?: string;
}
interface Content {
  learn?: unknown;
  experience?: unknown;
  discover?: unknown;
}

export interface SelectedCareer {
  studentId: string;
  careerId: string;
  sessionId: string;
}

const POOL = { name: 'GetCareerPool', endpoint: 'api' } as const;
const SELECT = { name: 'SelectCareer', endpoint: 'career_selection' } as const;
const CONTENT = { name: 'GenerateContent', endpoint: 'content_generation' } as const;

/** Pool -> select -> content. Returns the new session, or undefined when a step failed. */
export function careerSelectionFlow(studentId: string): SelectedCareer | undefined {
  return group('Career Selection Flow', () => {
    const poolRes = get(`/api/v1/students/${encodeURIComponent(studentId)}/careers/pool`, POOL);
    const careers = json<{ careers?: Career[] }>(poolRes)?.careers;
    const poolOk = step(
      poolRes,
      {
        'career pool retrieved': (r) => r.status === 200,
        'pool contains 4 careers': () => Array.isArray(careers) && careers.length === 4,
      },
      POOL,
    );
    if (!poolOk || !careers || careers.length === 0) return undefined;

    const chosen = careers[Math.floor(Math.random() * careers.length)]!;
    const selectRes = postJson(`/api/v1/students/${encodeURIComponent(studentId)}/careers/select`, { careerId: chosen.id }, SELECT);
    // a request cut off (status 0: timeout, run stopping) has no duration worth judging
    if (selectRes.status !== 0) careerSelectionDuration.add(selectRes.timings.duration, { ...SELECT });
    const selection = json<Selection>(selectRes);
    const selected = step(
      selectRes,
      {
        'career selected': (r) => r.status === 200,
        'session created': () => typeof selection?.sessionId === 'string',
      },
      SELECT,
    );
    if (!selected || !selection?.sessionId) return undefined;

    const contentRes = get(`/api/v1/sessions/${encodeURIComponent(selection.sessionId)}/content`, CONTENT);
    if (contentRes.status !== 0) contentGenerationDuration.add(contentRes.timings.duration, { ...CONTENT });
    const content = json<Content>(contentRes);
    step(
      contentRes,
      {
        'content generated': (r) => r.status === 200,
        'containers present': () => Boolean(content?.learn && content.experience && content.discover),
      },
      CONTENT,
    );
    return { studentId, careerId: chosen.id, sessionId: selection.sessionId };
  });
}
