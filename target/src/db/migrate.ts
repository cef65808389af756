// Schema migrations of the target service: idempotent (safe to run on every start and by every
// replica of the Deployment at once, serialised by an advisory lock), with the indexes the
// guidelines' database section (§5.2) names, adapted to this schema.
//
//   node --import tsx target/src/db/migrate.ts         (uses DATABASE_PRIMARY_URL)

import pg from 'pg';
import { pathToFileURL } from 'node:url';

/** Ordered, append-only: a migration once shipped is never edited, only followed. */
export const MIGRATIONS: { id: string; sql: string }[] = [
  {
    id: '001_schema',
    sql: `
CREATE TABLE schools (
  id         text PRIMARY KEY,
  name       text NOT NULL
);
CREATE TABLE careers (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  cluster     text NOT NULL,
  grade_level int  NOT NULL CHECK (grade_level BETWEEN 0 AND 12)
);
CREATE INDEX idx_careers_grade ON careers (grade_level);
CREATE TABLE students (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  grade_level int  NOT NULL CHECK (grade_level BETWEEN 0 AND 12),
  school_id   text REFERENCES schools (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- The current (active) career choice of a student; history keeps every choice.
CREATE TABLE career_selections (
  id             bigserial PRIMARY KEY,
  student_id     text NOT NULL REFERENCES students (id),
  career_id      text NOT NULL REFERENCES careers (id),
  selection_date timestamptz NOT NULL DEFAULT now(),
  active         boolean NOT NULL DEFAULT true
);
-- Guidelines §5.2 idx_career_selections_student_date.
CREATE INDEX idx_career_selections_student_date
  ON career_selections (student_id, selection_date DESC) WHERE active = true;
CREATE TABLE career_history (
  id            bigserial PRIMARY KEY,
  student_id    text NOT NULL REFERENCES students (id),
  career_id     text NOT NULL REFERENCES careers (id),
  selected_date timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination (newest first) and the "not chosen in the last 5 days" pool query.
CREATE INDEX idx_career_history_student_date ON career_history (student_id, selected_date DESC, id DESC);
-- Trending careers: selections of the last day.
CREATE INDEX idx_career_history_date ON career_history (selected_date DESC) INCLUDE (career_id);
CREATE TABLE learning_sessions (
  id          uuid PRIMARY KEY,
  student_id  text NOT NULL REFERENCES students (id),
  career_id   text NOT NULL REFERENCES careers (id),
  status      text NOT NULL DEFAULT 'active',
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- Guidelines §5.2 idx_sessions_student_active.
CREATE INDEX idx_sessions_student_active
  ON learning_sessions (student_id, created_at DESC) WHERE status = 'active';
-- Content templates per career, grade and container (learn / experience / discover).
CREATE TABLE content (
  id           bigserial PRIMARY KEY,
  career_id    text NOT NULL REFERENCES careers (id),
  grade_level  int  NOT NULL,
  content_type text NOT NULL,
  content_data jsonb NOT NULL
);
-- Guidelines §5.2 idx_content_career_grade (covering: generation reads only the index; unique so
-- the seed is idempotent).
CREATE UNIQUE INDEX idx_content_career_grade
  ON content (career_id, grade_level, content_type) INCLUDE (content_data);
CREATE TABLE interactions (
  id          bigserial PRIMARY KEY,
  session_id  uuid NOT NULL REFERENCES learning_sessions (id),
  student_id  text NOT NULL,
  type        text NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- PathIQ flow state reads a student's interactions of the last days.
CREATE INDEX idx_interactions_student_date ON interactions (student_id, created_at DESC);
CREATE TABLE uploads (
  id          uuid PRIMARY KEY,
  filename    text NOT NULL,
  bytes       bigint NOT NULL,
  sha256      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE report_jobs (
  id          uuid PRIMARY KEY,
  type        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  params      jsonb NOT NULL,
  result      jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
`,
  },
];

/** Any number that is the same for every copy of the service: the advisory lock of migrations. */
const MIGRATION_LOCK = 7_314_001;

export async function migrate(connectionString: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  const client = new pg.Client({ connectionString, application_name: 'target-migrate' });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.id} failed: ${(err as Error).message}`);
      }
      applied.push(migration.id);
      log(`applied migration ${migration.id}`);
    }
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } finally {
    await client.end();
  }
  return applied;
}

const HELP = `Usage: node --import tsx target/src/db/migrate.ts [--help]

Applies the target service's schema migrations (idempotent) to the database in
DATABASE_PRIMARY_URL (postgres://user:password@host:port/database).`;

// Run as a script only: bundled into the service (the local lab's esbuild bundle of main.ts),
// import.meta.url is the bundle's, which is then argv[1] too.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && /\/migrate\.[cm]?[jt]s$/.test(import.meta.url)) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
  } else if (process.argv.length > 2) {
    console.error(`unknown argument ${process.argv[2]}\n\n${HELP}`);
    process.exit(2);
  } else if (!process.env.DATABASE_PRIMARY_URL) {
    console.error(`DATABASE_PRIMARY_URL is required\n\n${HELP}`);
    process.exit(2);
  } else {
    migrate(process.env.DATABASE_PRIMARY_URL, console.log)
      .then((applied) => console.log(applied.length ? `done (${applied.length} applied)` : 'schema up to date'))
      .catch((err: Error) => {
        console.error(err.message);
        process.exit(1);
      });
  }
}
