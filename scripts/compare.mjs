#!/usr/bin/env zx
// `zx scripts/compare.mjs --help`: thin; the work is in lab/baseline/commands.ts (compareCommand).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const { compareCommand } = await tsImport('../lab/baseline/commands.ts', import.meta.url);
const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(process.argv.findIndex((a) => resolve(a) === self) + 1);
const out = compareCommand(args, process.env.INIT_CWD ?? process.cwd());
if (out.stdout) process.stdout.write(out.stdout);
if (out.stderr) process.stderr.write(out.stderr);
process.exitCode = out.exitCode;
