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
    await deps.db.write(
      timing,
      'INSERT INTO students (id, name, grade_level) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [id, `Student ${id}`, gradeForStudent(id)],
    );
    const created = await deps.db.readPrimary<StudentProfile & Record<string, unknown>>(timing, SELECT, [id]);
    return created.rows[0]!;
  });
  return value;
}

/** The insert of an on-the-fly student inside a write transaction (career selection). */
export const ENROL_SQL = 'INSERT INTO students (id, name, grade_level) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING';
export const enrolParams = (id: string) => [id, `Student ${id}`, gradeForStudent(id)];
