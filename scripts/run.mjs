#!/usr/bin/env zx
// Any scenario: `zx scripts/run.mjs <name or path.ts> [same flags as run-soak]`.
// Thin: the flags, the run and the verdict live in lab/run. `--help` lists every flag.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const { runScriptCommand } = await tsImport('../lab/run/script.ts', import.meta.url);
const self = fileURLToPath(import.meta.url);
// zx leaves its own argv in front: the flags are what follows this script's path.
const args = process.argv.slice(process.argv.findIndex((a) => resolve(a) === self) + 1);
process.exit(await runScriptCommand(args, 'run'));
