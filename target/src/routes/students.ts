// Student-facing routes: login, career pool and selection, flow state, dashboard, career history.

import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CACHE_TTL_SECONDS, cacheKeys } from '../cache.ts';
import { DEMO_STUDENT_ID, STUDENT_ID_PATTERN } from '../catalogue.ts';
import type { Deps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { flowState } from '../pathiq.ts';
import { enrolValues, ensureStudent } from '../students.ts';
import type { RequestTiming } from '../timing.ts';

const studentId = { type: 'string', pattern: STUDENT_ID_PATTERN } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: studentId } } as const;

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

export interface CareerRow extends Record<string, unknown> {
  id: string;
  name: string;
  cluster: string;
  gradeLevel: number;
}

/** Recent answers as the flow-state rule needs them: count, and how many were right. */
const FLOW_SQL = `SELECT count(*)::int AS n,
  count(*) FILTER (WHERE data->>'answer' = 'true' OR data->>'correct' = 'true')::int AS good
  FROM interactions WHERE student_id = $1 AND created_at > now() - interval '7 days'`;

async function dashboardOf(deps: Deps, timing: RequestTiming, id: string) {
  const student = await ensureStudent(deps, timing, id);
  const { rows } = await deps.db.read(
    timing,
    `SELECT
      (SELECT json_build_object('id', c.id, 'name', c.name, 'cluster', c.cluster, 'selectedAt', cs.selection_date)
         FROM career_selections cs JOIN careers c ON c.id = cs.career_id
        WHERE cs.student_id = $1 AND cs.active ORDER BY cs.selection_date DESC LIMIT 1) AS "currentCareer",
      (SELECT coalesce(json_agg(s), '[]'::json) FROM (
         SELECT id AS "sessionId", career_id AS "careerId", status, created_at AS "createdAt"
           FROM learning_sessions WHERE student_id = $1 AND status = 'active'
          ORDER BY created_at DESC LIMIT 10) s) AS "recentSessions",
      (SELECT json_build_object('n', count(*), 'good', count(*) FILTER (WHERE data->>'answer' = 'true' OR data->>'correct' = 'true'))
         FROM interactions WHERE student_id = $1 AND created_at > now() - interval '7 days') AS flow`,
    [id],
  );
  const row = rows[0] as { currentCareer: unknown; recentSessions: unknown[]; flow: { n: number; good: number } };
  return { student, currentCareer: row.currentCareer, recentSessions: row.recentSessions, flow: flowState(row.flow.n, row.flow.good) };
}

/** Keyset cursor: the exact timestamptz text and id of the last item of a page. */
export function encodeCursor(selectedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([selectedAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && /^\d+$/.test(String(value[1])) && !Number.isNaN(Date.parse(value[0]))) {
      return [value[0], String(value[1])];
    }
  } catch {
    // falls through to the error below
  }
  throw new HttpError(400, 'bad_request', 'cursor is invalid: pass the nextCursor of the previous page unchanged');
}

export function studentRoutes(app: FastifyInstance, deps: Deps): void {
  app.post<{ Body: { studentId: string; password?: string } }>(
    '/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          required: ['studentId'],
          additionalProperties: false,
          properties: { studentId, password: { type: 'string', maxLength: 256 } },
        },
      },
    },
    async (request) => {
      const student = await ensureStudent(deps, request.timing, request.body.studentId);
      const token = randomBytes(24).toString('base64url');
      const stored = await deps.cache.set(request.timing, cacheKeys.token(token), { studentId: student.id }, CACHE_TTL_SECONDS.sessionData);
      if (!stored) throw new HttpError(503, 'unavailable', 'the session store (Redis) did not accept the token; retry');
      return { token, studentId: student.id, expiresIn: CACHE_TTL_SECONDS.sessionData };
    },
  );

  app.get('/students/:id/careers/pool', { schema: { params: idParams } }, async (request: IdRequest, reply) => {
    const id = request.params.id;
    const { json, hit } = await deps.cache.getOrLoadJson(request.timing, 'careerPools', cacheKeys.careerPool(id), CACHE_TTL_SECONDS.careerPools, async () => {
      const student = await ensureStudent(deps, request.timing, id);
      // 4 careers of the student's grade not chosen in the last 5 days (other grades fill in when
      // a student has tried almost everything), in an order that changes per student and day.
      const { rows } = await deps.db.read<CareerRow>(
        request.timing,
        `SELECT c.id, c.name, c.cluster, c.grade_level AS "gradeLevel" FROM careers c
          WHERE c.id NOT IN (SELECT career_id FROM career_history
                              WHERE student_id = $1 AND selected_date > now() - interval '5 days')
          ORDER BY (c.grade_level <> $2), md5(c.id || $1 || current_date::text) LIMIT 4`,
        [id, student.gradeLevel],
      );
      return { studentId: id, careers: rows };
    });
    reply.header('X-Cache', hit ? 'HIT' : 'MISS').type('application/json');
    return reply.send(json);
  });

  app.post<{ Params: { id: string }; Body: { careerId: string } }>(
    '/students/:id/careers/select',
    {
      schema: {
        params: idParams,
        body: { type: 'object', required: ['careerId'], properties: { careerId: { type: 'string', minLength: 1, maxLength: 128 } } },
      },
    },
    async (request) => {
      const id = request.params.id;
      const { careerId } = request.body;
      const sessionId = randomUUID();
      // One statement, so one transaction and one round trip: enrol the student if new,
      // deactivate the previous choice, record the selection, its history entry and the learning
      // session. An unknown career matches no row, and then nothing at all is written.
      const { rows } = await deps.db.write<{ gradeLevel: number; selectedAt: Date }>(
        request.timing,
        `WITH career AS (SELECT id, grade_level FROM careers WHERE id = $2),
         enrol AS (INSERT INTO students (id, name, grade_level)
                   SELECT $1, $3, $4 FROM career ON CONFLICT (id) DO NOTHING),
         previous AS (UPDATE career_selections SET active = false
                      WHERE student_id = $1 AND active AND EXISTS (SELECT 1 FROM career)),
         selection AS (INSERT INTO career_selections (student_id, career_id) SELECT $1, id FROM career),
         history AS (INSERT INTO career_history (student_id, career_id) SELECT $1, id FROM career
                     RETURNING selected_date),
         session AS (INSERT INTO learning_sessions (id, student_id, career_id) SELECT $5, $1, id FROM career)
         SELECT career.grade_level AS "gradeLevel", history.selected_date AS "selectedAt" FROM career, history`,
        [id, careerId, ...enrolValues(id), sessionId],
      );
      if (!rows[0]) throw new HttpError(404, 'career_not_found', `career ${JSON.stringify(careerId)} does not exist`);
      const { gradeLevel } = rows[0];
      const selectedAt = rows[0].selectedAt.toISOString();
      // Read-your-write: the session is in the cache before a replica may have it.
      await deps.cache.set(request.timing, cacheKeys.session(sessionId), { sessionId, studentId: id, careerId, gradeLevel }, CACHE_TTL_SECONDS.sessionData);
      await deps.cache.del(request.timing, cacheKeys.careerPool(id));
      return { sessionId, careerId, studentId: id, selectedAt };
    },
  );

  app.get('/students/:id/flow-state', { schema: { params: idParams } }, async (request: IdRequest, reply) => {
    const id = request.params.id;
    const { value, hit } = await deps.cache.getOrLoad(request.timing, 'pathIQAnalysis', cacheKeys.flowState(id), CACHE_TTL_SECONDS.pathIQAnalysis, async () => {
      await ensureStudent(deps, request.timing, id);
      const { rows } = await deps.db.read<{ n: number; good: number }>(request.timing, FLOW_SQL, [id]);
      return { interactions: rows[0]!.n, ...flowState(rows[0]!.n, rows[0]!.good) };
    });
    reply.header('X-Cache', hit ? 'HIT' : 'MISS');
    return { studentId: id, percentage: value.percentage, state: value.state, interactions: value.interactions };
  });

  app.get('/students/:id/dashboard', { schema: { params: idParams } }, async (request: IdRequest) =>
    dashboardOf(deps, request.timing, request.params.id),
  );

  app.get<{ Querystring: { studentId?: string } }>(
    '/students/dashboard',
    { schema: { querystring: { type: 'object', properties: { studentId } } } },
    async (request) => dashboardOf(deps, request.timing, request.query.studentId ?? DEMO_STUDENT_ID),
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>(
    '/students/:id/career-history',
    {
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      const { limit, cursor } = request.query;
      const [afterDate, afterId] = cursor ? decodeCursor(cursor) : [null, null];
      await ensureStudent(deps, request.timing, id);
      const { rows } = await deps.db.read<{ id: string; careerId: string; careerName: string; selectedAt: Date; cursorAt: string }>(
        request.timing,
        `SELECT h.id::text AS id, h.career_id AS "careerId", c.name AS "careerName",
                h.selected_date AS "selectedAt", h.selected_date::text AS "cursorAt"
           FROM career_history h JOIN careers c ON c.id = h.career_id
          WHERE h.student_id = $1
            AND ($2::timestamptz IS NULL OR (h.selected_date, h.id) < ($2::timestamptz, $3::bigint))
          ORDER BY h.selected_date DESC, h.id DESC
          LIMIT $4`,
        [id, afterDate, afterId, limit + 1],
      );
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        studentId: id,
        items: page.map(({ cursorAt: _, ...item }) => item),
        hasMore,
        ...(hasMore && last ? { nextCursor: encodeCursor(last.cursorAt, last.id) } : {}),
      };
    },
  );
}
