#!/usr/bin/env zx
// Runs the benchmarks (bench/*.bench.ts), one after another so they do not share the 2 cores,
// and writes their figures to bench/results.json. Benchmarks measure; tests judge behaviour.
import { tsImport } from 'tsx/esm/api';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

if (argv.help || argv.h) {
  echo(`usage: npm run bench [-- --only <name>[,<name>]] [--out bench/results.json]

Runs every bench/<name>.bench.ts and writes the figures (with the machine they ran on) to --out.
With --only, the other benchmarks' figures already in --out are kept; each says when it ran.`);
  process.exit(0);
}

const dir = new URL('../bench/', import.meta.url);
const available = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', '')).sort();
const only = argv.only ? String(argv.only).split(',') : available;
const unknown = only.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

// the benchmarks start the local lab and k6: a fresh machine sets itself up first, as the main job does
const { ensureLocalLabTools } = await tsImport('../lab/setup/localLabTools.ts', import.meta.url);
try {
  ensureLocalLabTools((line) => echo(`setup: ${line}`));
} catch (error) {
  console.error(`bench: cannot start the local lab: ${error.message}`);
  process.exit(3);
}

const out = argv.out ?? new URL('../bench/results.json', import.meta.url).pathname;
// --only refreshes some figures: keep the others (each benchmark records when it ran)
const previousFile = argv.only && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { benchmarks: {} };
const previous = Object.fromEntries(Object.entries(previousFile.benchmarks ?? {})
  .map(([name, figures]) => [name, { ranAt: previousFile.date, ...figures }]));
const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  benchmarks: previous,
};
let failed = false;
for (const name of only) {
  echo(chalk.bold(`bench ${name}`));
  const started = Date.now();
  try {
    const bench = await tsImport(`../bench/${name}.bench.ts`, import.meta.url);
    const figures = await bench.run((line) => echo(`  ${name}: ${line}`));
    results.benchmarks[name] = { ranAt: new Date(started).toISOString(), ...figures };
  } catch (error) {
    failed = true;
    results.benchmarks[name] = { ranAt: new Date(started).toISOString(), error: String(error?.message ?? error) };
    console.error(`  ${name} failed: ${error?.message ?? error}`);
  }
  echo(`  ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
echo(`wrote ${out}`);
process.exit(failed ? 1 : 0);
