// Learning sessions: generated content (learn / experience / discover) and interactions.

import type { FastifyInstance } from 'fastify';
import { CACHE_TTL_SECONDS, cacheKeys } from '../cache.ts';
import { UUID_RE, type Career } from '../catalogue.ts';
import { CONTAINERS, generateContent, type Container, type ContentTemplate, type GeneratedContent } from '../content.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../errors.ts';
import type { RequestTiming } from '../timing.ts';

export interface SessionRef {
  sessionId: string;
  studentId: string;
  careerId: string;
  gradeLevel: number;
}

/**
 * A session by id: from the cache (set when it was created), else a replica, else the primary
 * (a session created a moment ago may not have reached the replica yet); 404 when none has it.
 */
export async function findSession(deps: Deps, timing: RequestTiming, sessionId: string): Promise<SessionRef> {
  if (!UUID_RE.test(sessionId)) throw notFound('session', sessionId);
  const cached = await deps.cache.get<SessionRef>(timing, 'sessionData', cacheKeys.session(sessionId));
  if (cached) return cached;
  const sql = `SELECT s.id AS "sessionId", s.student_id AS "studentId", s.career_id AS "careerId", c.grade_level AS "gradeLevel"
                 FROM learning_sessions s JOIN careers c ON c.id = s.career_id WHERE s.id = $1`;
  const found = (await deps.db.read<SessionRef & Record<string, unknown>>(timing, sql, [sessionId])).rows[0]
    ?? (await deps.db.readPrimary<SessionRef & Record<string, unknown>>(timing, sql, [sessionId])).rows[0];
  if (!found) throw notFound('session', sessionId);
  await deps.cache.set(timing, cacheKeys.session(sessionId), found, CACHE_TTL_SECONDS.sessionData);
  return found;
}

const sessionParams = { type: 'object', required: ['sessionId'], properties: { sessionId: { type: 'string', maxLength: 64 } } } as const;

export function sessionRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { sessionId: string } }>('/sessions/:sessionId/content', { schema: { params: sessionParams } }, async (request, reply) => {
    const session = await findSession(deps, request.timing, request.params.sessionId);
    const key = cacheKeys.content(session.careerId, session.gradeLevel);
    const { json, hit } = await deps.cache.getOrLoadJson(request.timing, 'generatedContent', key, CACHE_TTL_SECONDS.generatedContent, async () => {
      const { rows } = await deps.db.read<{ id: string; name: string; cluster: string; gradeLevel: number; contentType: Container; data: ContentTemplate }>(
        request.timing,
        `SELECT c.id, c.name, c.cluster, c.grade_level AS "gradeLevel", t.content_type AS "contentType", t.content_data AS data
           FROM careers c JOIN content t ON t.career_id = c.id AND t.grade_level = c.grade_level
          WHERE c.id = $1`,
        [session.careerId],
      );
      const first = rows[0];
      if (!first) throw notFound('content for career', session.careerId);
      const career: Career = { id: first.id, name: first.name, cluster: first.cluster, gradeLevel: first.gradeLevel };
      const templates = Object.fromEntries(rows.map((r) => [r.contentType, r.data])) as Record<Container, ContentTemplate>;
      for (const container of CONTAINERS) if (!templates[container]) throw notFound(`${container} template for career`, career.id);
      const end = deps.metrics.contentGeneration.startTimer();
      const generated: GeneratedContent = generateContent(career, templates);
      end();
      return generated;
    });
    reply.header('X-Cache', hit ? 'HIT' : 'MISS').type('application/json');
    // The session's fields, then the cached content object's (a few KB) spliced in unparsed.
    const head = JSON.stringify({ sessionId: session.sessionId, careerId: session.careerId, studentId: session.studentId, gradeLevel: session.gradeLevel });
    return reply.send(`${head.slice(0, -1)},${json.slice(1)}`);
  });

  app.post<{ Params: { sessionId: string }; Body: { type: string; data: Record<string, unknown> } }>(
    '/sessions/:sessionId/interact',
    {
      schema: {
        params: sessionParams,
        body: {
          type: 'object',
          required: ['type', 'data'],
          properties: { type: { type: 'string', minLength: 1, maxLength: 64 }, data: { type: 'object' } },
        },
      },
    },
    async (request) => {
      const session = await findSession(deps, request.timing, request.params.sessionId);
      const { rows } = await deps.db.write<{ id: string }>(
        request.timing,
        'INSERT INTO interactions (session_id, student_id, type, data) VALUES ($1, $2, $3, $4) RETURNING id::text AS id',
        [session.sessionId, session.studentId, request.body.type, JSON.stringify(request.body.data)],
      );
      return { recorded: true, interactionId: rows[0]!.id };
    },
  );
}
