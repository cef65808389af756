// The whole of `run-soak.mjs` and `run.mjs` below the argv: flags -> plan -> scenario built ->
// dry run (print) or the run skeleton on the chosen target -> verdict and results. Usage errors
// come back as exit code 2 with a message, before anything has been started: flags, the results
// folder, the lab config (cluster target), the scenario (type-check, bundle, k6's load of it within
// a time limit, its thresholds) and the local target's limits. docs/bad-inputs.md lists each case.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runResultsDir } from '../results/resultsFolder.ts';
import { EXIT_CODES } from '../exitCodes.ts';
import { parseRunFlags, usage, UsageError, type RunCommand } from './flags.ts';
import { planRun, type PlanContext, type RunPlan } from './plan.ts';
import { prepareScenario, type PreparedScenario } from './prepare.ts';
import { executeRun } from './executeRun.ts';
import { localDryRun, localTarget } from './localTarget.ts';
import { clusterDryRun, clusterTarget, type ClusterDeps } from './clusterTarget.ts';
import type { FinishedRun } from './finish.ts';
import type { RunIo } from './io.ts';
import type { RunContext, RunTarget } from './runTarget.ts';
import { BaselineError, decisionRequest } from '../decisions/request.ts';
import { decisionLines } from '../decisions/lines.ts';
import { BUILD_DIR } from '../scenarios/registry.ts';
import { ensureLocalLabTools } from '../setup/localLabTools.ts';
import { LabConfigError, loadLabConfig } from '../config/index.ts';
import type { LabConfig } from '../config/types.ts';

export interface CommandResult {
  exitCode: number;
  /** for stdout: help, a dry run's plan or YAML. */
  stdout?: string;
  /** for stderr: a usage error. */
  stderr?: string;
  run?: FinishedRun;
}

export interface RunDeps extends PlanContext {
  /** the cluster target's launcher and lab config (tests give stand-ins). */
  cluster?: ClusterDeps;
  /** installs what the local lab needs (default ensureLocalLabTools; tests point it at a missing binary). */
  localSetup?: (log: (line: string) => void) => unknown;
  /** how long k6 may take to load the scenario's init code (default 30 s; tests shorten it). */
  loadTimeoutMs?: number;
  /** where LAB_PROFILE / LAB_CONFIG are read for the cluster target's lab config (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function runCommand(argv: readonly string[], command: RunCommand, io: RunIo, deps: RunDeps = {}): Promise<CommandResult> {
  let plan: RunPlan;
  let prepared: PreparedScenario;
  let config: LabConfig;
  let decisions: RunContext['decisions'];
  let buildDir: string | undefined;
  try {
    const flags = parseRunFlags(argv, command);
    if (flags.help) return { exitCode: EXIT_CODES.pass, stdout: `${usage(command)}\n` };
    plan = planRun(flags, command, deps);
    // the lab config is read before anything is built (the cluster's, and both targets' cardinality
    // levels): a bad one is a usage error, as a bad flag
    config = deps.cluster?.config ?? labConfigOrUsageError(deps.env, deps.cwd);
    if (plan.target === 'cluster') deps = { ...deps, cluster: { ...deps.cluster, config } };
    if (plan.target === 'local' && !plan.dryRun) {
      // a fresh machine sets itself up before anything starts; where it cannot, nothing starts
      try {
        (deps.localSetup ?? ensureLocalLabTools)(io.log);
      } catch (error) {
        return { exitCode: EXIT_CODES.labFailure, stderr: `${command}: cannot start the local lab: ${(error as Error).message}\n` };
      }
    }
    // a dry run leaves its bundle in build/scenarios for review; a run builds into a temp folder
    buildDir = plan.dryRun ? undefined : mkdtempSync(join(tmpdir(), `perflab-${plan.runId}-`));
    io.log(`run ${plan.runId}: building scenario ${plan.scenario.name} (type-check + bundle)`);
    prepared = await prepareScenario(plan, buildDir ?? BUILD_DIR, deps.loadTimeoutMs !== undefined ? { loadTimeoutMs: deps.loadTimeoutMs } : {});
    if (plan.dryRun) {
      const stdout = plan.target === 'cluster' ? clusterDryRun(plan, prepared, deps.cluster?.config) : localDryRun(plan, prepared);
      return { exitCode: EXIT_CODES.pass, stdout };
    }
    // baselines and capacity (lab/decisions): a missing or incomparable baseline is refused now, before the lab starts
    try {
      decisions = decisionRequest({ plan, bundlePath: prepared.bundlePath, maxVUs: prepared.maxVUs, labConfig: config, cwd: deps.cwd ?? process.env.INIT_CWD ?? process.cwd() });
    } catch (error) {
      if (error instanceof BaselineError) throw new UsageError(`--baseline: ${error.message}`);
      throw error;
    }
  } catch (error) {
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    if (error instanceof UsageError) return usageFailure(command, error, true);
    throw error;
  }

  try {
    const ctx = { plan, prepared, resultsDir: runResultsDir(plan.resultsRoot, plan.runId), io, labConfig: config, cardinality: config.monitoring.cardinality, decisions };
    const target: RunTarget = plan.target === 'cluster' ? clusterTarget(ctx, deps.cluster) : localTarget(ctx);
    const run = await executeRun(ctx, target);
    return { exitCode: run.exitCode, run };
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(command, error, false);
    throw error;
  } finally {
    rmSync(buildDir!, { recursive: true, force: true });
  }
}

function labConfigOrUsageError(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()) {
  try {
    return loadLabConfig({ env, cwd });
  } catch (error) {
    if (error instanceof LabConfigError) throw new UsageError(`lab config (LAB_PROFILE, LAB_CONFIG): ${error.message}`);
    throw error;
  }
}

function usageFailure(command: RunCommand, error: UsageError, withHelp: boolean): CommandResult {
  return { exitCode: EXIT_CODES.usage, stderr: `${command}: ${error.message}\n${withHelp ? `see: zx scripts/${command}.mjs --help\n` : ''}` };
}

/** The closing lines a script prints: verdict, why, where the results are. */
export function verdictLines(run: FinishedRun): string[] {
  const s = run.summary;
  return [
    `verdict: ${s.verdict.status.toUpperCase()} (${s.verdict.kind}, exit ${s.verdict.exitCode})${s.partial ? ' — PARTIAL, interrupted' : ''}`,
    ...s.verdict.reasons.map((r) => `  - ${r}`),
    ...s.verdict.warnings.map((w) => `  ! ${w}`),
    `across ${s.runners.length} runner(s): ${s.totals.requests ?? 0} requests, p95 ${s.totals.p95Ms?.toFixed(1) ?? '—'} ms, ` +
      `p99 ${s.totals.p99Ms?.toFixed(1) ?? '—'} ms, errors ${s.totals.errorRate === null ? '—' : `${(s.totals.errorRate * 100).toFixed(2)}%`}`,
    ...(s.thresholds.length > 0
      ? [`the scenario's thresholds across all runners: ${(['pass', 'fail', 'not-measured'] as const).map((status) =>
        `${s.thresholds.filter((t) => t.status === status).length} ${status === 'pass' ? 'held' : status === 'fail' ? 'failed' : 'not measured'}`).join(', ')}`]
      : []),
    ...decisionLines(s),
    `results: ${run.resultsDir}/ (report.md, report.html, summary.json, junit.xml)`,
  ];
}
