// Flag handling the cluster lifecycle scripts (lab-up, teardown) share: unknown flags refused
// with the usage, and --profile / --config turned into LAB_PROFILE / LAB_CONFIG for the lab config
// (and LAB_BASE_DIR, the directory relative paths are relative to).
import { tsImport } from 'tsx/esm/api';

/** Exits 2 naming every flag (or positional argument) not in `known` (give both spellings). */
export function rejectUnknownFlags(script, argv, known, usage) {
  const allowed = new Set(['_', 'help', 'h', ...known]);
  const unknown = Object.keys(argv).filter((k) => !allowed.has(k));
  if (unknown.length > 0 || argv._.length > 0) {
    console.error(`${script}: unknown argument ${unknown.map((k) => `--${k}`).concat(argv._).join(' ')}\n\n${usage}`);
    process.exit(2);
  }
}

/** --profile (one of the lab's profiles) and --config, as the lab config reads them. */
export async function applyLabConfigFlags(script, argv) {
  if (argv.profile !== undefined) {
    // loaded here, not at the top: teardown --target local never needs the lab config
    const { LAB_PROFILES } = await tsImport('../../lab/config/index.ts', import.meta.url);
    if (!LAB_PROFILES.includes(argv.profile)) {
      console.error(`${script}: --profile must be one of ${LAB_PROFILES.join(', ')}, got "${argv.profile}"`);
      process.exit(2);
    }
    process.env.LAB_PROFILE = argv.profile;
  }
  if (argv.config !== undefined) process.env.LAB_CONFIG = String(argv.config);
  // Relative paths (--config, cluster.kubeconfig, charts.*.caFile) are relative to the directory
  // the user ran from; pin it for the cdktf app this script starts through npx (which resets INIT_CWD).
  process.env.LAB_BASE_DIR ||= process.env.INIT_CWD || process.cwd();
}
