#!/usr/bin/env zx
// npm run lab:down — cdktf destroy of the deployed stacks in reverse order, then delete the kind
// cluster (kind) or stop the simulated cluster (sim). Idempotent: on a half-built or already
// removed lab it succeeds and says what it removed.
// --target local stops a kept local lab instead.
import { tsImport } from 'tsx/esm/api';
import { applyLabConfigFlags, loadLabConfigOrExit, rejectUnknownFlags, requireValue, USAGE_EXIT } from './lib/labFlags.mjs';

const usage = `usage: npm run lab:down -- [--target cluster|local] [--profile kind|cloud|sim] [--config lab.yaml] [--keep-cluster] [--skip-provider-lock] [--run-id ID]

  --target cluster   (default) destroy the stacks recorded in .lab/state (target, observability,
                     data, platform), then delete the kind cluster (kind profile) or say what is
                     left in the simulated cluster and stop it, removing .lab/sim (sim profile)
  --target local     stop the processes of a local lab kept with --keep (all, or --run-id ID)
  --profile P        kind (default), cloud or sim; same as LAB_PROFILE=P
  --config FILE      JSON/YAML overrides of the lab config; same as LAB_CONFIG=FILE
  --keep-cluster     destroy the stacks but keep the kind (or simulated) cluster
  --skip-provider-lock
                     pass --skip-provider-lock to cdktf destroy (offline provider mirror; use it
                     when lab-up needed it)
  --run-id ID        with --target local: only this run's kept lab
  -h, --help         this help

Exit codes: 0 done (also when there was nothing to remove) · 1 a destroy failed · 2 bad flags or
an invalid lab config (a missing or unreadable --config file, not JSON/YAML, a wrong type, an
unknown field): nothing was changed.

Safe to run twice: what is already gone is reported, not an error. Where the cluster stays (cloud,
--keep-cluster), the CRDs the charts installed stay too (Helm never deletes CRDs): teardown names
them and prints the kubectl command that removes them. A simulated cluster whose processes stopped
(the machine restarted) holds nothing: its stacks' state is forgotten and its folder removed.`;

if (argv.help || argv.h) {
  echo(usage);
  process.exit(0);
}
await rejectUnknownFlags('teardown', argv, ['target', 'profile', 'config', 'keep-cluster', 'keepCluster', 'skip-provider-lock', 'skipProviderLock', 'run-id', 'runId'], usage);
const target = requireValue('teardown', argv, 'target', 'cluster or local') ?? 'cluster';
if (!['cluster', 'local'].includes(target)) {
  console.error(`teardown: --target must be cluster or local, got "${target}"`);
  process.exit(USAGE_EXIT);
}
const runIdFlag = requireValue('teardown', argv, 'run-id', 'the run id of a kept local lab, e.g. soak-261123-154554-1bd4');
if (target === 'cluster' && runIdFlag !== undefined) {
  console.error('teardown: --run-id is for --target local (a kept local lab); the cluster lab is one, torn down whole');
  process.exit(USAGE_EXIT);
}
if (target === 'local' && argv['keep-cluster'] !== undefined) {
  console.error('teardown: --keep-cluster is for --target cluster');
  process.exit(USAGE_EXIT);
}
const log = (line) => echo(`teardown: ${line}`);

if (target === 'local') {
  // lazily: the cluster path must not need the local lab's modules, nor the other way round
  const { stopKeptLocalLabs } = await tsImport('../lab/local/keptLab.ts', import.meta.url);
  const runId = runIdFlag;
  const { isDnsLabel } = await tsImport('../lab/cluster/dnsLabel.ts', import.meta.url);
  const { MAX_RUN_ID } = await tsImport('../lab/run/runId.ts', import.meta.url);
  if (runId !== undefined && (!isDnsLabel(runId) || runId.length > MAX_RUN_ID)) {
    console.error(`teardown: --run-id "${runId}" is not a run id (lowercase letters, digits and '-', at most ${MAX_RUN_ID} characters, e.g. soak-261123-154554-1bd4: results/<run-id>/)`);
    process.exit(USAGE_EXIT);
  }
  const stopped = await stopKeptLocalLabs(runId ? { runId } : undefined);
  if (stopped.length === 0) log(runId ? `no kept local lab for run ${runId}` : 'no kept local lab: nothing to stop');
  for (const lab of stopped) log(`run ${lab.runId}: stopped ${lab.stopped.length > 0 ? lab.stopped.join(', ') : 'nothing (already stopped)'}`);
  process.exit(0);
}

await applyLabConfigFlags('teardown', argv);

const config = await loadLabConfigOrExit('teardown');
const { labDown } = await tsImport('../lab/cluster/lifecycle.ts', import.meta.url);
try {
  await labDown(config, { log, keepCluster: Boolean(argv['keep-cluster']), skipProviderLock: Boolean(argv['skip-provider-lock']) });
} catch (error) {
  console.error(`teardown failed: ${error.message}`);
  process.exit(1);
}
