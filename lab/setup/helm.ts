// Finds helm (v3) on PATH or builds the pinned one into `.bin/helm` (see goTool.ts).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HELM } from '../versions.ts';
import { buildGoTool, onPath, projectBinary, type GoTool } from './goTool.ts';

const HELM_TOOL: GoTool = { name: 'helm', module: HELM.module, version: HELM.version, packagePath: './cmd/helm' };

function helmVersionOf(binary: string): string | undefined {
  const out = spawnSync(binary, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

export function findHelm(): string | undefined {
  const system = onPath('helm');
  if (system && helmVersionOf(system)?.startsWith('v3.')) return system;
  const local = projectBinary(HELM_TOOL);
  return existsSync(local) && helmVersionOf(local) !== undefined ? local : undefined;
}

export function ensureHelm(log?: (line: string) => void): string {
  return findHelm() ?? buildGoTool(HELM_TOOL, log);
}
