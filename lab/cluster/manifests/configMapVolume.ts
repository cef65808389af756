// A ConfigMap's files laid out as the kubelet mounts them (its atomic writer): the files in a
// timestamped folder, a `..data` symlink to it, and one symlink per key pointing through `..data`;
// `data` written as text, `binaryData` decoded. For tests that run what a pod would run on them.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMapObject } from './types.ts';

/** Writes `object`'s files into `dir` (which must exist, empty) as a ConfigMap volume; returns their names. */
export function writeConfigMapVolume(dir: string, object: Pick<ConfigMapObject, 'data' | 'binaryData'>): string[] {
  const stamp = '..2026_01_01_00_00_00.000000001';
  mkdirSync(join(dir, stamp));
  const files: Array<[string, Buffer]> = [
    ...Object.entries(object.data).map(([k, v]) => [k, Buffer.from(v, 'utf8')] as [string, Buffer]),
    ...Object.entries(object.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')] as [string, Buffer]),
  ];
  for (const [name, bytes] of files) writeFileSync(join(dir, stamp, name), bytes, { mode: 0o644 });
  symlinkSync(stamp, join(dir, '..data'));
  for (const [name] of files) symlinkSync(join('..data', name), join(dir, name));
  return files.map(([name]) => name);
}
