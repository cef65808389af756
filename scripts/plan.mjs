#!/usr/bin/env zx
// `zx scripts/plan.mjs --help`: thin; the work is in lab/capacity/planCommand.ts.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const { planCommand } = await tsImport('../lab/capacity/planCommand.ts', import.meta.url);
const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(process.argv.findIndex((a) => resolve(a) === self) + 1);
const out = planCommand(args, process.env.INIT_CWD ?? process.cwd());
if (out.stdout) process.stdout.write(out.stdout);
if (out.stderr) process.stderr.write(out.stderr);
process.exitCode = out.exitCode;
