// Flag handling the cluster lifecycle scripts (lab-up, teardown) share: unknown flags refused
// with the usage (and the flag meant, when it is a typo), --profile / --config turned into
// LAB_PROFILE / LAB_CONFIG for the lab config (and LAB_BASE_DIR, the directory relative paths are
// relative to), and the lab config loaded with its errors as usage errors. Every refusal here is
// exit 2, before anything is touched.
import { tsImport } from 'tsx/esm/api';

/** Exit code of a refused input (flags, lab config): nothing was started or changed. */
export const USAGE_EXIT = 2;

/** Exits 2 naming every flag (or positional argument) not in `known` (give both spellings). */
export async function rejectUnknownFlags(script, argv, known, usage) {
  const allowed = new Set(['_', 'help', 'h', ...known]);
  const unknown = Object.keys(argv).filter((k) => !allowed.has(k));
  if (unknown.length > 0 || argv._.length > 0) {
    const { didYouMean } = await tsImport('../../lab/config/didYouMean.ts', import.meta.url);
    const flags = known.filter((k) => !/[A-Z]/.test(k));
    const guesses = unknown.map((k) => didYouMean(k, flags)).filter(Boolean).map((k) => `--${k}`);
    const what = [...unknown.map((k) => `--${k}`), ...argv._.map((a) => `"${a}"`)].join(' ');
    const hint = guesses.length > 0 ? ` (did you mean ${guesses.join(', ')}?)` : '';
    console.error(`${script}: unknown argument ${what}${hint}; ${script} takes flags only: ${flags.map((k) => `--${k}`).join(' ')}\n\n${usage}`);
    process.exit(USAGE_EXIT);
  }
}

/** A flag that takes a value, given without one (minimist makes it `true`): exits 2. */
export function requireValue(script, argv, flag, what) {
  const value = argv[flag];
  if (value === undefined) return undefined;
  if (typeof value === 'boolean' || String(value).trim() === '') {
    console.error(`${script}: --${flag} needs ${what}`);
    process.exit(USAGE_EXIT);
  }
  return String(value);
}

/** --profile (one of the lab's profiles) and --config, as the lab config reads them. */
export async function applyLabConfigFlags(script, argv) {
  const profile = requireValue(script, argv, 'profile', 'a profile: kind, cloud or sim');
  if (profile !== undefined) {
    // loaded here, not at the top: teardown --target local never needs the lab config
    const { LAB_PROFILES } = await tsImport('../../lab/config/index.ts', import.meta.url);
    if (!LAB_PROFILES.includes(profile)) {
      console.error(`${script}: --profile must be one of ${LAB_PROFILES.join(', ')}, got "${profile}"`);
      process.exit(USAGE_EXIT);
    }
    process.env.LAB_PROFILE = profile;
  }
  const config = requireValue(script, argv, 'config', 'a JSON or YAML file, e.g. --config lab.yaml');
  if (config !== undefined) process.env.LAB_CONFIG = config;
  // Relative paths (--config, cluster.kubeconfig, charts.*.caFile) are relative to the directory
  // the user ran from; pin it for the cdktf app this script starts through npx (which resets INIT_CWD).
  process.env.LAB_BASE_DIR ||= process.env.INIT_CWD || process.cwd();
}

/**
 * The lab config (LAB_PROFILE, LAB_CONFIG), validated as a whole; an invalid one (a missing or
 * unreadable file, not JSON/YAML, a wrong type, an unknown field) exits 2 with every problem.
 */
export async function loadLabConfigOrExit(script) {
  const { loadLabConfig, LabConfigError } = await tsImport('../../lab/config/index.ts', import.meta.url);
  try {
    return loadLabConfig();
  } catch (error) {
    if (!(error instanceof LabConfigError)) throw error;
    console.error(`${script}: ${error.message}\nnothing was changed; every field of the lab config: docs/cluster.md#lab-config`);
    process.exit(USAGE_EXIT);
  }
}
