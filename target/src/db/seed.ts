// Loads a realistic data volume into the target's database, quickly (set-based SQL with
// generate_series, no row-by-row round trips) and idempotently (run it twice, get the same data):
// careers for every grade with their content templates, schools (including the guidelines'
// `test-school`), students, recent selections so "trending" has something to rank, and
// `volume_test_<n>` students with 1000+ history entries each for the guidelines' volume test.
//
//   node --import tsx target/src/db/seed.ts [--students N] [--volume-students N] [--history N]

import pg from 'pg';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { allCareers, DEMO_STUDENT_ID } from '../catalogue.ts';
import { CONTAINERS, templatesFor } from '../content.ts';

export interface SeedOptions {
  /** ordinary students `student_seed_<n>` spread over schools and grades. */
  students: number;
  /** students `volume_test_1..N` (the guidelines' §2.5 ids are `volume_test_${__VU}`). */
  volumeStudents: number;
  /** history entries per volume student (>= 1000 for the volume test). */
  historyPerVolumeStudent: number;
  /** selections in the last 24 h (what "trending" ranks). */
  recentSelections: number;
  schools: number;
}

export const SEED_DEFAULTS: SeedOptions = {
  students: 10_000,
  volumeStudents: 100,
  historyPerVolumeStudent: 1200,
  recentSelections: 5000,
  schools: 50,
};

export interface SeedCounts {
  careers: number;
  schools: number;
  students: number;
  careerHistory: number;
  content: number;
}

export async function seed(connectionString: string, options: Partial<SeedOptions> = {}, log: (line: string) => void = () => undefined): Promise<SeedCounts> {
  const o = { ...SEED_DEFAULTS, ...options };
  const client = new pg.Client({ connectionString, application_name: 'target-seed' });
  await client.connect();
  try {
    await client.query('BEGIN');
    const careers = allCareers();
    await client.query(
      `INSERT INTO careers (id, name, cluster, grade_level)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) ON CONFLICT (id) DO NOTHING`,
      [careers.map((c) => c.id), careers.map((c) => c.name), careers.map((c) => c.cluster), careers.map((c) => c.gradeLevel)],
    );
    const content = careers.flatMap((career) => {
      const templates = templatesFor(career);
      return CONTAINERS.map((container) => ({ career, container, data: JSON.stringify(templates[container]) }));
    });
    await client.query(
      `INSERT INTO content (career_id, grade_level, content_type, content_data)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::jsonb[])
       ON CONFLICT (career_id, grade_level, content_type) DO NOTHING`,
      [content.map((c) => c.career.id), content.map((c) => c.career.gradeLevel), content.map((c) => c.container), content.map((c) => c.data)],
    );
    await client.query(
      `INSERT INTO schools (id, name) VALUES ('test-school', 'Test School') ON CONFLICT (id) DO NOTHING;`,
    );
    await client.query(
      `INSERT INTO schools (id, name)
       SELECT 'school-' || n, 'School ' || n FROM generate_series(1, $1::int) n ON CONFLICT (id) DO NOTHING`,
      [o.schools],
    );
    // Students: ordinary, demo, and volume-test ones; grade from the number, school round-robin.
    await client.query(
      `INSERT INTO students (id, name, grade_level, school_id)
       SELECT 'student_seed_' || n, 'Seed Student ' || n, n % 13, 'school-' || (1 + n % $2::int)
       FROM generate_series(1, $1::int) n
       UNION ALL SELECT $3, 'Demo Student', 5, 'test-school'
       UNION ALL SELECT 'volume_test_' || n, 'Volume Student ' || n, n % 13, 'test-school'
       FROM generate_series(1, $4::int) n
       ON CONFLICT (id) DO NOTHING`,
      [o.students, o.schools, DEMO_STUDENT_ID, o.volumeStudents],
    );
    // 1000+ history entries per volume student, all older than 5 days (so pools stay full);
    // only for students that have none yet (idempotent).
    await client.query(
      `WITH by_grade AS (SELECT grade_level, array_agg(id ORDER BY id) AS ids FROM careers GROUP BY grade_level)
       INSERT INTO career_history (student_id, career_id, selected_date)
       SELECT s.id, g.ids[1 + h % array_length(g.ids, 1)], now() - interval '6 days' - (h * interval '37 minutes')
       FROM students s
       JOIN by_grade g ON g.grade_level = s.grade_level
       CROSS JOIN generate_series(1, $1::int) h
       WHERE s.id LIKE 'volume\\_test\\_%'
         AND NOT EXISTS (SELECT 1 FROM career_history ch WHERE ch.student_id = s.id)`,
      [o.historyPerVolumeStudent],
    );
    // Recent selections of ordinary students (trending), once.
    const { rows: recent } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM career_history WHERE student_id LIKE 'student\\_seed\\_%'`,
    );
    if (Number(recent[0]!.n) === 0 && o.students > 0) {
      await client.query(
        `WITH all_ids AS (SELECT array_agg(id ORDER BY id) AS ids FROM careers)
         INSERT INTO career_history (student_id, career_id, selected_date)
         SELECT 'student_seed_' || (1 + (n * 7919) % $2::int),
                a.ids[1 + (n * n) % array_length(a.ids, 1)],
                now() - (n % 1440) * interval '1 minute'
         FROM generate_series(1, $1::int) n CROSS JOIN all_ids a`,
        [o.recentSelections, o.students],
      );
    }
    // The demo student (the soak script's dashboard) has a current career and a session.
    await client.query(
      `INSERT INTO career_selections (student_id, career_id)
       SELECT $1, 'g5-astronaut' WHERE NOT EXISTS (SELECT 1 FROM career_selections WHERE student_id = $1)`,
      [DEMO_STUDENT_ID],
    );
    await client.query(
      `INSERT INTO learning_sessions (id, student_id, career_id)
       SELECT gen_random_uuid(), $1, 'g5-astronaut' WHERE NOT EXISTS (SELECT 1 FROM learning_sessions WHERE student_id = $1)`,
      [DEMO_STUDENT_ID],
    );
    await client.query('COMMIT');
    await client.query('ANALYZE');
    const { rows } = await client.query<Record<keyof SeedCounts, string>>(
      `SELECT (SELECT count(*) FROM careers) AS careers, (SELECT count(*) FROM schools) AS schools,
              (SELECT count(*) FROM students) AS students, (SELECT count(*) FROM career_history) AS "careerHistory",
              (SELECT count(*) FROM content) AS content`,
    );
    const counts = Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)])) as unknown as SeedCounts;
    log(`seeded: ${JSON.stringify(counts)}`);
    return counts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

const HELP = `Usage: node --import tsx target/src/db/seed.ts [options]

Loads the target service's demo data (idempotent) into DATABASE_PRIMARY_URL.
Run the migrations first (target/src/db/migrate.ts).

Options:
  --students N          ordinary students (default ${SEED_DEFAULTS.students})
  --volume-students N   volume_test_<n> students with long histories (default ${SEED_DEFAULTS.volumeStudents})
  --history N           history entries per volume student (default ${SEED_DEFAULTS.historyPerVolumeStudent})
  --help                this text`;

function count(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 10_000_000) throw new Error(`--${name}=${raw} is invalid: expected an integer from 0 to 10000000`);
  return n;
}

// Run as a script only: bundled into the service (the local lab's esbuild bundle of main.ts),
// import.meta.url is the bundle's, which is then argv[1] too.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && /\/seed\.[cm]?[jt]s$/.test(import.meta.url)) {
  try {
    const { values } = parseArgs({
      options: {
        students: { type: 'string' },
        'volume-students': { type: 'string' },
        history: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
    } else {
      if (!process.env.DATABASE_PRIMARY_URL) throw new Error('DATABASE_PRIMARY_URL is required');
      const options: Partial<SeedOptions> = {};
      const students = count('students', values.students);
      const volume = count('volume-students', values['volume-students']);
      const history = count('history', values.history);
      if (students !== undefined) options.students = students;
      if (volume !== undefined) options.volumeStudents = volume;
      if (history !== undefined) options.historyPerVolumeStudent = history;
      const started = Date.now();
      await seed(process.env.DATABASE_PRIMARY_URL, options, console.log);
      console.log(`done in ${Date.now() - started} ms`);
    }
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
}
