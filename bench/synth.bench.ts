// Times `npx cdktf synth` of the four lab stacks from a cold process (what a user waits for),
// into a temporary folder so the checkout's cdktf.out is left alone. Goal: under 20 s.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;
const GOAL_S = 20;
const RUNS = 3;

export async function run(log: (line: string) => void): Promise<Record<string, unknown>> {
  const seconds: number[] = [];
  let stacks: string[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const outdir = mkdtempSync(join(tmpdir(), 'synth-bench-'));
    const started = process.hrtime.bigint();
    const out = spawnSync('npx', ['cdktf', 'synth', '--output', outdir], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
      encoding: 'utf8',
    });
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    if (out.status !== 0) throw new Error(`cdktf synth failed: ${out.stderr || out.stdout}`);
    stacks = readdirSync(join(outdir, 'stacks')).sort();
    bytes = stacks.reduce((sum, st) => sum + readFileSync(join(outdir, 'stacks', st, 'cdk.tf.json')).length, 0);
    rmSync(outdir, { recursive: true, force: true });
    seconds.push(s);
    log(`run ${i + 1}/${RUNS}: ${s.toFixed(2)} s (${stacks.join(', ')})`);
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  log(`median ${median.toFixed(2)} s, goal < ${GOAL_S} s: ${median < GOAL_S ? 'met' : 'NOT met'}`);
  return {
    runs: seconds.map((s) => Number(s.toFixed(2))),
    medianSeconds: Number(median.toFixed(2)),
    maxSeconds: Number(sorted.at(-1)!.toFixed(2)),
    goalSeconds: GOAL_S,
    goalMet: median < GOAL_S,
    stacks,
    synthesizedBytes: bytes,
  };
}
