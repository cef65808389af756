#!/usr/bin/env zx
// npm run lab:up — preflight, kind cluster from kind-config.yaml (kind profile) or the simulated
// cluster (sim profile), then cdktf deploy of the stacks, one at a time, in order. Thin: flags
// here, the work in lab/cluster/lifecycle.ts.
import { tsImport } from 'tsx/esm/api';
import { applyLabConfigFlags, loadLabConfigOrExit, rejectUnknownFlags, requireValue, USAGE_EXIT } from './lib/labFlags.mjs';

const { STACK_ORDER: STACKS } = await tsImport('../lab/cluster/cdktf.ts', import.meta.url);
const usage = `usage: npm run lab:up -- [--profile kind|cloud|sim] [--config lab.yaml] [--stacks a,b] [--push] [--skip-image-check] [--dry-run] [--skip-provider-lock]

Stands the lab up: checks the tools (kubectl, terraform|tofu; docker and kind on the kind profile)
and the files the config names, warns when the requests do not fit cluster.nodes, creates the kind
cluster from kind-config.yaml if it does not exist (kind profile) or starts the simulated cluster
(sim profile), generates the lab's secrets into .lab/secrets.json (0600, reused next time), then
deploys the stacks with cdktf, one at a time, stopping at the first that fails:
${STACKS.join(' -> ')}.
Ends by printing how to reach Grafana, Prometheus and Alertmanager. Run it again after a failure:
it applies what is missing.

The target service needs no image of its own by default (target.delivery: bundle): the stock Node
image runs its esbuild bundle from a ConfigMap the target stack creates. With target.delivery:
image, lab:up builds target/Dockerfile and loads it into the kind nodes (each step skipped when
the same content is there); on cloud the image must be in target.registry (--push publishes it).
Before deploying, every image the lab runs (the target's, the k6 runner's, Postgres, Redis,
redis_exporter) must be pullable from its registry or, on kind, loaded on every node.

--profile sim, for a machine with no Docker: a real Kubernetes v1.36 control plane (etcd,
kube-apiserver, controller-manager, scheduler; built into .bin/ from the Go module proxy the first
time, minutes) with simulated kwok nodes shaped like the config's pools, all on 127.0.0.1. Its
kubeconfig goes to cluster.kubeconfig (default .lab/sim/kubeconfig, context perflab-sim); it keeps
running after lab:up, the next lab:up reuses it, lab:down --profile sim stops it. It proves the
deploy order, the charts' values and CRDs against a real API server, placement and capacity; no
container runs on it (docs/cluster.md#the-simulated-cluster-profile-sim).

  --profile P            kind (default), cloud or sim; same as LAB_PROFILE=P
  --config FILE          JSON/YAML overrides of the lab config; same as LAB_CONFIG=FILE
  --stacks LIST          deploy only these stacks (comma-separated: ${STACKS.join(', ')})
  --push                 target.delivery image: build target/Dockerfile, tag it <target.registry>/<target.image>
                         and docker push it before deploying (any profile; needs docker)
  --skip-image-check     do not ask the registries whether the lab's images can be pulled (the cluster pulls
                         through a mirror or proxy this machine does not reach)
  --dry-run              run the preflight and print the commands, change nothing
  --skip-provider-lock   pass --skip-provider-lock to cdktf (offline provider mirror; lab:down takes it too)
  -h, --help             this help

Exit codes: 0 done · 1 preflight failed or a deploy failed · 2 bad flags or an invalid lab config
(a missing or unreadable --config file, not JSON/YAML, a wrong type, an unknown field): nothing
was checked or changed.`;

if (argv.help || argv.h) {
  echo(usage);
  process.exit(0);
}
await rejectUnknownFlags('lab-up', argv, ['profile', 'config', 'stacks', 'push', 'skip-image-check', 'skipImageCheck', 'dry-run', 'dryRun', 'skip-provider-lock', 'skipProviderLock'], usage);
await applyLabConfigFlags('lab-up', argv);
let stacks;
const stacksFlag = requireValue('lab-up', argv, 'stacks', `a comma-separated list of ${STACKS.join(', ')}`);
if (stacksFlag !== undefined) {
  stacks = stacksFlag.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = stacks.filter((s) => !STACKS.includes(s));
  if (bad.length > 0 || stacks.length === 0) {
    console.error(`lab-up: --stacks must list some of ${STACKS.join(', ')}, got "${stacksFlag}"${bad.length > 0 ? ` (not a stack: ${bad.join(', ')})` : ''}`);
    process.exit(USAGE_EXIT);
  }
}

const config = await loadLabConfigOrExit('lab-up');
const { labUp, PreflightFailed } = await tsImport('../lab/cluster/lifecycle.ts', import.meta.url);
const log = (line) => echo(`lab-up: ${line}`);
// the first Ctrl-C stops a simulated cluster being started (and no stack starts after it); cdktf
// gets the terminal's SIGINT itself; a second Ctrl-C ends lab-up at once
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
try {
  await labUp(config, {
    log, dryRun: Boolean(argv['dry-run']), stacks, skipProviderLock: Boolean(argv['skip-provider-lock']), signal: interrupt.signal,
    push: Boolean(argv.push), skipImageCheck: Boolean(argv['skip-image-check']),
  });
} catch (error) {
  if (error instanceof PreflightFailed) {
    console.error(`lab-up: ${error.message}`);
    process.exit(1);
  }
  console.error(`lab-up failed: ${error.message}\nThe lab is half built: fix the cause and run lab-up again (it applies what is missing and reinstalls a failed Helm release over what it left; docs/cluster.md says when that is not enough), or npm run lab:down.`);
  process.exit(1);
}
