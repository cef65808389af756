// The whole of `run-soak.mjs` and `run.mjs` below the argv: flags -> plan -> scenario built ->
// dry run (print) or run on the chosen target -> verdict and results. Usage errors come back as
// exit code 2 with a message, before anything has been started.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localRunnerArgs } from '../k6/runnerContract.ts';
import { runResultsDir } from '../results/resultsFolder.ts';
import { EXIT_CODES } from '../exitCodes.ts';
import { parseRunFlags, usage, UsageError, type RunCommand } from './flags.ts';
import { planRun, type PlanContext, type RunPlan } from './plan.ts';
import { prepareScenario, type PreparedScenario } from './prepare.ts';
import { runLocal, localStateDir } from './runLocal.ts';
import { runCluster, clusterDryRun, type ClusterLauncher } from './runCluster.ts';
import type { RunOutcome } from './finish.ts';
import type { RunIo } from './io.ts';
import type { LabConfig } from '../config/types.ts';
import { BUILD_DIR } from '../scenarios/registry.ts';

export interface CommandResult {
  exitCode: number;
  /** for stdout: help, a dry run's plan or YAML. */
  stdout?: string;
  /** for stderr: a usage error. */
  stderr?: string;
  outcome?: RunOutcome;
}

export interface RunDeps extends PlanContext {
  launcher?: ClusterLauncher;
  labConfig?: LabConfig;
}

/** A local dry run: what would start, and each runner's exact k6 command line. */
export function localDryRunText(plan: RunPlan, prepared: PreparedScenario): string {
  const stateDir = localStateDir(plan.runId);
  const lines = [
    `run id:       ${plan.runId}`,
    `target:       local (processes on loopback, state in ${stateDir})`,
    `scenario:     ${plan.scenario.name} (${plan.scenario.file})`,
    `bundle:       ${prepared.bundlePath} (${prepared.bytes} bytes)`,
    `profile:      ${plan.shape.profile}; VUs ${plan.shape.vus ?? `profile's (${prepared.maxVUs} max)`}; duration ${plan.shape.duration ?? 'profile\'s'}; k6 total ${prepared.totalDuration ?? '?'}`,
    `runners:      ${plan.parallelism} (execution segments of ${plan.parallelism}), testid ${plan.runId}`,
    `service:      ${plan.baseUrl ?? 'the lab\'s target service'}${plan.targetLatencyMs !== undefined ? ` (slowed by ${plan.targetLatencyMs} ms)` : ''}`,
    `lab:          Postgres primary + 2 streaming replicas, 6-node Redis cluster (3+3), postgres and redis exporters,`,
    `              Prometheus (remote-write receiver, native histograms, SLA rules), Alertmanager${plan.baseUrl ? '' : ', the target service (migrated, seeded)'}`,
    `results:      ${join(plan.resultsRoot, plan.runId)}/ (summary.json, report.md, report.html, junit.xml, lab.json, runner-<i>-summary.json)`,
    `afterwards:   ${plan.keep ? 'the lab is kept running (stop: npm run lab:down -- --target local)' : 'the lab is stopped'}`,
    `scenario env: ${Object.entries(plan.scenarioEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    '',
    ...Array.from({ length: plan.parallelism }, (_, i) => `k6 ${localRunnerArgs({
      instance: i + 1, parallelism: plan.parallelism, apiAddress: '127.0.0.1:<free port>', testid: plan.runId,
      summaryPath: join(plan.resultsRoot, plan.runId, `runner-${i + 1}-summary.json`), bundlePath: prepared.bundlePath,
    }).join(' ')}`),
    '',
  ];
  return lines.join('\n');
}

export async function runCommand(argv: readonly string[], command: RunCommand, io: RunIo, deps: RunDeps = {}): Promise<CommandResult> {
  let plan: RunPlan;
  let prepared: PreparedScenario;
  let buildDir: string | undefined;
  try {
    const flags = parseRunFlags(argv, command);
    if (flags.help) return { exitCode: EXIT_CODES.pass, stdout: `${usage(command)}\n` };
    plan = planRun(flags, command, deps);
    // a dry run leaves its bundle in build/scenarios for review; a run builds into a temp folder
    buildDir = plan.dryRun ? undefined : mkdtempSync(join(tmpdir(), `perflab-${plan.runId}-`));
    io.log(`run ${plan.runId}: building scenario ${plan.scenario.name} (type-check + bundle)`);
    prepared = await prepareScenario(plan, buildDir ?? BUILD_DIR);
    if (plan.dryRun) {
      const stdout = plan.target === 'cluster' ? clusterDryRun(plan, prepared, deps.labConfig) : localDryRunText(plan, prepared);
      return { exitCode: EXIT_CODES.pass, stdout };
    }
  } catch (error) {
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    if (error instanceof UsageError) {
      return { exitCode: EXIT_CODES.usage, stderr: `${command}: ${error.message}\nsee: zx scripts/${command}.mjs --help\n` };
    }
    throw error;
  }

  const resultsDir = runResultsDir(plan.resultsRoot, plan.runId);
  try {
    const outcome = plan.target === 'cluster'
      ? await runCluster(plan, prepared, resultsDir, io, {
        ...(deps.launcher ? { launcher: deps.launcher } : {}),
        ...(deps.labConfig ? { config: deps.labConfig } : {}),
      })
      : await runLocal(plan, prepared, resultsDir, io);
    return { exitCode: outcome.exitCode, outcome };
  } catch (error) {
    if (error instanceof UsageError) {
      return { exitCode: EXIT_CODES.usage, stderr: `${command}: ${error.message}\n` };
    }
    throw error;
  } finally {
    rmSync(buildDir!, { recursive: true, force: true });
  }
}

/** The closing lines a script prints: verdict, why, where the results are. */
export function verdictLines(outcome: RunOutcome): string[] {
  const s = outcome.summary;
  if (!s) return [];
  const lines = [
    `verdict: ${s.verdict.status.toUpperCase()} (${s.verdict.kind}, exit ${s.verdict.exitCode})${s.partial ? ' — PARTIAL, interrupted' : ''}`,
    ...s.verdict.reasons.map((r) => `  - ${r}`),
    ...s.verdict.warnings.map((w) => `  ! ${w}`),
    `across ${s.runners.length} runner(s): ${s.totals.requests ?? 0} requests, p95 ${s.totals.p95Ms?.toFixed(1) ?? '—'} ms, ` +
      `p99 ${s.totals.p99Ms?.toFixed(1) ?? '—'} ms, errors ${s.totals.errorRate === null ? '—' : `${(s.totals.errorRate * 100).toFixed(2)}%`}`,
  ];
  if (outcome.resultsDir) lines.push(`results: ${outcome.resultsDir}/ (report.md, report.html, summary.json, junit.xml)`);
  return lines;
}
