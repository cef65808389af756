// Careers and schools: trending careers (cached) and bulk enrolment (one transaction).

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CACHE_TTL_SECONDS, cacheKeys } from '../cache.ts';
import type { Deps } from '../deps.ts';
import { HttpError } from '../errors.ts';

interface BulkStudent {
  name: string;
  grade: number;
  schoolId: string;
}

export function catalogueRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Querystring: { limit: number } }>(
    '/careers/trending',
    { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 } } } } },
    async (request, reply) => {
      const { limit } = request.query;
      // The whole response body is cached: a hit goes out as stored.
      const { json, hit } = await deps.cache.getOrLoadJson(request.timing, 'careerPools', cacheKeys.trending(limit), CACHE_TTL_SECONDS.careerPools, async () => {
        const { rows } = await deps.db.read(
          request.timing,
          `SELECT c.id, c.name, c.cluster, c.grade_level AS "gradeLevel", t.selections
             FROM (SELECT career_id, count(*)::int AS selections FROM career_history
                    WHERE selected_date > now() - interval '1 day'
                    GROUP BY career_id ORDER BY count(*) DESC, career_id LIMIT $1) t
             JOIN careers c ON c.id = t.career_id
            ORDER BY t.selections DESC, c.id`,
          [limit],
        );
        return { careers: rows };
      });
      reply.header('X-Cache', hit ? 'HIT' : 'MISS').type('application/json');
      return reply.send(json);
    },
  );

  app.post<{ Body: { students: BulkStudent[] } }>(
    '/schools/bulk-enroll',
    {
      schema: {
        body: {
          type: 'object',
          required: ['students'],
          properties: {
            students: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              items: {
                type: 'object',
                required: ['name', 'grade', 'schoolId'],
                properties: {
                  name: { type: 'string', minLength: 1, maxLength: 200 },
                  grade: { type: 'integer', minimum: 0, maximum: 12 },
                  schoolId: { type: 'string', minLength: 1, maxLength: 128 },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const students = request.body.students;
      const ids = students.map(() => `enrolled_${randomUUID()}`);
      // One statement in one transaction: an unknown school in any row aborts the whole batch.
      await deps.db
        .transaction(request.timing, (client) =>
          client.query(
            `INSERT INTO students (id, name, grade_level, school_id)
             SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[])`,
            [ids, students.map((s) => s.name), students.map((s) => s.grade), students.map((s) => s.schoolId)],
          ),
        )
        .catch((err: { code?: string; detail?: string }) => {
          if (err.code === '23503') {
            throw new HttpError(422, 'unknown_school', `a student names a school that does not exist (${err.detail ?? 'foreign key'}); nothing was enrolled`);
          }
          throw err;
        });
      return { created: ids.length, studentIds: ids };
    },
  );
}
