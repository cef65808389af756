// The lab's seeded database template: the target's migrations and seed run once per machine,
// while Postgres' data directory template is built (lab/local/postgres/template.ts), and every
// lab copies the result instead of seeding (5-15 s). The template's id hashes the migrations, the
// seed's options and the source of every module the seed loads, so any change builds a new one;
// each start then moves the seed's recent dates to now.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { PROJECT_ROOT } from '../paths.ts';
import type { TemplateSetup } from './postgres/template.ts';
import { MIGRATIONS, migrate } from '../../target/src/db/migrate.ts';
import { SEED_DEFAULTS, seed, type SeedOptions } from '../../target/src/db/seed.ts';

const MIGRATE_SOURCE = 'target/src/db/migrate.ts';
const SEED_SOURCE = 'target/src/db/seed.ts';

/** The seed's options with every default filled in, keys sorted: the same data, the same key. */
export function seedOptionsFor(seedOptions: Partial<SeedOptions> = {}): SeedOptions {
  const full: Record<string, number> = { ...SEED_DEFAULTS, ...seedOptions };
  return Object.fromEntries(Object.keys(full).sort().map((k) => [k, full[k]!])) as unknown as SeedOptions;
}

/**
 * The id of a migrated + seeded template (pure): the migrations (ids and SQL), the seed's
 * options, and the source of every local module migrate.ts and seed.ts load (`sources`: path ->
 * contents; the seed's careers and content come from catalogue.ts and content.ts). Any change in
 * them names a new template, so a lab never runs on data an older seed wrote.
 */
export function seedTemplateId(input: { seed: SeedOptions; sources: Record<string, string>; migrations?: readonly { id: string; sql: string }[] }): string {
  const hash = createHash('sha256').update(JSON.stringify({
    migrations: (input.migrations ?? MIGRATIONS).map((m) => [m.id, m.sql]),
    seed: input.seed,
    sources: Object.keys(input.sources).sort().map((path) => [path, createHash('sha256').update(input.sources[path]!).digest('hex')]),
  })).digest('hex');
  return `migrate+seed-${hash.slice(0, 16)}`;
}

/** The local source files migrate.ts and seed.ts load (esbuild's view of their imports; ~50 ms). */
export async function seedSources(): Promise<Record<string, string>> {
  const result = await build({
    entryPoints: [MIGRATE_SOURCE, SEED_SOURCE].map((f) => join(PROJECT_ROOT, f)),
    absWorkingDir: PROJECT_ROOT, bundle: true, write: false, metafile: true, packages: 'external',
    platform: 'node', format: 'esm', outdir: 'unused', logLevel: 'silent',
  });
  return Object.fromEntries(Object.keys(result.metafile.inputs).sort().map((path) => [path, readFileSync(join(PROJECT_ROOT, path), 'utf8')]));
}

/**
 * The template setup of the lab's database: the target's migrations and seed, run once per
 * machine while Postgres' template is built (see lab/local/postgres.ts); every lab then copies it.
 */
export async function seededTemplateSetup(seedOptions: Partial<SeedOptions> = {}): Promise<TemplateSetup & { seed: SeedOptions }> {
  const options = seedOptionsFor(seedOptions);
  return {
    id: seedTemplateId({ seed: options, sources: await seedSources() }),
    seed: options,
    run: async (primaryUrl) => {
      await migrate(primaryUrl);
      await seed(primaryUrl, options);
    },
  };
}

/**
 * The service's time windows (trending: selections of the last day; a student's pool: not chosen
 * in the last 5 days) read career_history.selected_date, which the seed writes relative to its own
 * now(). A template seeded days ago would have nothing "recent", so each start moves the rows of
 * the seed's last 5 days forward by the template's age (the seed's ~5 000 recent selections; the
 * volume history is older than 6 days and stays so). Returns the rows moved.
 */
export async function moveSeedDatesToNow(primaryUrl: string, seededAt: string): Promise<number> {
  const client = new pg.Client({ connectionString: primaryUrl, application_name: 'perflab-lab' });
  await client.connect();
  try {
    const result = await client.query(
      `UPDATE career_history SET selected_date = selected_date + (now() - $1::timestamptz)
       WHERE selected_date > $1::timestamptz - interval '5 days' AND selected_date <= $1::timestamptz`,
      [seededAt],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
