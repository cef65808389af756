#!/usr/bin/env zx
// npm run lab:down — cdktf destroy of the deployed stacks in reverse order, then delete the kind
// cluster. Idempotent: on a half-built or already removed lab it succeeds and says what it removed.
// --target local stops a kept local lab instead.
import { tsImport } from 'tsx/esm/api';
import { applyLabConfigFlags, rejectUnknownFlags } from './lib/labFlags.mjs';

const usage = `usage: npm run lab:down -- [--target cluster|local] [--profile kind|cloud|sim] [--config lab.yaml] [--keep-cluster] [--skip-provider-lock] [--run-id ID]

  --target cluster   (default) destroy the stacks recorded in .lab/state (target, observability,
                     data, platform), then delete the kind cluster (kind profile)
  --target local     stop the processes of a local lab kept with --keep (all, or --run-id ID)
  --profile P        kind (default), cloud or sim; same as LAB_PROFILE=P
  --config FILE      JSON/YAML overrides of the lab config; same as LAB_CONFIG=FILE
  --keep-cluster     destroy the stacks but keep the kind cluster
  --skip-provider-lock
                     pass --skip-provider-lock to cdktf destroy (offline provider mirror; use it
                     when lab-up needed it)
  --run-id ID        with --target local: only this run's kept lab
  -h, --help         this help

Safe to run twice: what is already gone is reported, not an error. Where the cluster stays (cloud,
sim, --keep-cluster), the CRDs the charts installed stay too (Helm never deletes CRDs): teardown
names them and prints the kubectl command that removes them.`;

if (argv.help || argv.h) {
  echo(usage);
  process.exit(0);
}
rejectUnknownFlags('teardown', argv, ['target', 'profile', 'config', 'keep-cluster', 'keepCluster', 'skip-provider-lock', 'skipProviderLock', 'run-id', 'runId'], usage);
const target = argv.target ?? 'cluster';
if (!['cluster', 'local'].includes(target)) {
  console.error(`teardown: --target must be cluster or local, got "${target}"`);
  process.exit(2);
}
const log = (line) => echo(`teardown: ${line}`);

if (target === 'local') {
  // lazily: the cluster path must not need the local lab's modules, nor the other way round
  const { stopKeptLocalLabs } = await tsImport('../lab/local/keptLab.ts', import.meta.url);
  const runId = argv['run-id'] === undefined ? undefined : String(argv['run-id']);
  const stopped = await stopKeptLocalLabs(runId ? { runId } : undefined);
  if (stopped.length === 0) log(runId ? `no kept local lab for run ${runId}` : 'no kept local lab: nothing to stop');
  for (const lab of stopped) log(`run ${lab.runId}: stopped ${lab.stopped.length > 0 ? lab.stopped.join(', ') : 'nothing (already stopped)'}`);
  process.exit(0);
}

await applyLabConfigFlags('teardown', argv);

const { loadLabConfig, LabConfigError } = await tsImport('../lab/config/index.ts', import.meta.url);
const { labDown } = await tsImport('../lab/cluster/lifecycle.ts', import.meta.url);
try {
  await labDown(loadLabConfig(), { log, keepCluster: Boolean(argv['keep-cluster']), skipProviderLock: Boolean(argv['skip-provider-lock']) });
} catch (error) {
  console.error(error instanceof LabConfigError ? `teardown: ${error.message}` : `teardown failed: ${error.message}`);
  process.exit(1);
}
