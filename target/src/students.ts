// Students seen for the first time are enrolled on the fly (the guidelines' scripts make up ids
// like student_<vu>_<iter>). The profile is cached for the session-data TTL.

import { CACHE_TTL_SECONDS } from './cache.ts';
import { gradeForStudent } from './catalogue.ts';
import type { Deps } from './deps.ts';
import type { RequestTiming } from './timing.ts';

export interface StudentProfile {
  id: string;
  name: string;
  gradeLevel: number;
  schoolId: string | null;
}

const profileKey = (id: string) => `{student:${id}}:profile`;

const SELECT = 'SELECT id, name, grade_level AS "gradeLevel", school_id AS "schoolId" FROM students WHERE id = $1';

export async function ensureStudent(deps: Deps, timing: RequestTiming, id: string): Promise<StudentProfile> {
  const { value } = await deps.cache.getOrLoad(timing, 'student', profileKey(id), CACHE_TTL_SECONDS.sessionData, async () => {
    const found = await deps.db.read<StudentProfile & Record<string, unknown>>(timing, SELECT, [id]);
    if (found.rows[0]) return found.rows[0];
    // Enrol on the primary in one round trip: the new row, or the existing one (a concurrent
    // request, or a student the replica has not seen yet).
    const enrolled = await deps.db.write<StudentProfile & Record<string, unknown>>(
      timing,
      `WITH created AS (
         INSERT INTO students (id, name, grade_level) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING
         RETURNING id, name, grade_level AS "gradeLevel", school_id AS "schoolId")
       SELECT * FROM created
       UNION ALL ${SELECT} AND NOT EXISTS (SELECT 1 FROM created)`,
      [id, `Student ${id}`, gradeForStudent(id)],
    );
    return enrolled.rows[0]!;
  });
  return value;
}

/** Name and grade of a student enrolled on the fly. */
export const enrolValues = (id: string): [string, number] => [`Student ${id}`, gradeForStudent(id)];
