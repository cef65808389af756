#!/usr/bin/env zx
// The soak: `zx scripts/run-soak.mjs [--target local|cluster] [--duration 8h] [--vus N] ...`.
// Thin: the flags, the run and the verdict live in lab/run; this file wires argv, stdout/stderr,
// Ctrl-C and the exit code. `--help` lists every flag.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const { runScriptCommand } = await tsImport('../lab/run/script.ts', import.meta.url);
const self = fileURLToPath(import.meta.url);
// zx leaves its own argv in front: the flags are what follows this script's path.
const args = process.argv.slice(process.argv.findIndex((a) => resolve(a) === self) + 1);
process.exit(await runScriptCommand(args, 'run-soak'));
