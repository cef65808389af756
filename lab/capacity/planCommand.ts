// `zx scripts/plan.mjs RUN [--plan-for-rps N | --plan-for-users N]`: the capacity assessment and
// plan of a finished run again, from its summary.json (its timeline) and the lab config of now
// (LAB_PROFILE, LAB_CONFIG: node size, capacity.headroom, capacity.nodeHourUsd) — one breakpoint run,
// then a plan for each production load or price, without running again. Pure but for the reads.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunSummary } from '../report/summary.ts';
import { judgedSlas } from '../sla/catalogue.ts';
import { loadLabConfig, LabConfigError } from '../config/index.ts';
import { assessCapacity } from './assess.ts';
import { decisionLines } from '../decisions/lines.ts';

const USAGE = `usage: zx scripts/plan.mjs RUN [--plan-for-rps N | --plan-for-users N]

The scalability assessment and capacity plan of a finished run (RUN: its results folder or its
summary.json), recomputed from its timeline with the lab config of now (LAB_PROFILE, LAB_CONFIG:
the node size, capacity.headroom, capacity.nodeHourUsd, capacity.productionRps/Users).`;

export function planCommand(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { exitCode: number; stdout: string; stderr: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, 'plan-for-rps': { type: 'string' }, 'plan-for-users': { type: 'string' } } });
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `plan: ${(error as Error).message}\n${USAGE}\n` };
  }
  if (parsed.values.help) return { exitCode: 0, stdout: `${USAGE}\n`, stderr: '' };
  if (parsed.positionals.length !== 1) return { exitCode: 2, stdout: '', stderr: `plan: give one run (its results folder)\n${USAGE}\n` };
  const number = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!(Number(text) > 0)) throw new Error(`--${flag}: "${text}" is not a number above 0`);
    return Number(text);
  };
  let planForRps: number | undefined;
  let planForUsers: number | undefined;
  try {
    planForRps = number('plan-for-rps', parsed.values['plan-for-rps']);
    planForUsers = number('plan-for-users', parsed.values['plan-for-users']);
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `plan: ${(error as Error).message}\n` };
  }
  let path = resolve(cwd, parsed.positionals[0]!);
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'summary.json');
  let summary: RunSummary;
  try {
    summary = JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `plan: cannot read ${path}: ${(error as Error).message}\n` };
  }
  const timeline = summary.timeline;
  if (!timeline) return { exitCode: 2, stdout: '', stderr: `plan: ${path} has no timeline (a run from before the timeline, or one Prometheus could not be read for)\n` };
  let config;
  try {
    config = loadLabConfig({ env, cwd });
  } catch (error) {
    if (error instanceof LabConfigError) return { exitCode: 2, stdout: '', stderr: `plan: lab config (LAB_PROFILE, LAB_CONFIG): ${error.message}\n` };
    throw error;
  }
  const capacity = assessCapacity({
    timeline, slas: judgedSlas(summary.scenarioSlas), runStartMs: timeline.atMs[0]! - timeline.windowS * 1000, target: summary.target, config,
    ...(planForRps !== undefined ? { planForRps } : {}),
    ...(planForUsers !== undefined ? { planForUsers } : {}),
  });
  const lines = decisionLines({ ...summary, baseline: null, recommendations: undefined, capacity } as RunSummary);
  const p = capacity.plan;
  if (p) {
    lines.push(`per request at the sustainable point (${p.perRequest.windows} window(s)): target ${((p.perRequest.targetCpuSeconds ?? NaN) * 1000).toFixed(3)} CPU-ms, ` +
      `Redis ${((p.perRequest.redisCpuSeconds ?? NaN) * 1000).toFixed(3)} CPU-ms and ${(p.perRequest.redisCommands ?? NaN).toFixed(1)} commands; ` +
      `a target process peaked at ${(p.perRequest.targetProcessRssMb ?? NaN).toFixed(0)} MB`);
    lines.push(...p.notes.map((n) => `note: ${n}`));
  }
  return { exitCode: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
}
