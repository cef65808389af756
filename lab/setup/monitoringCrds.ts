// The prometheus-operator CRDs whose objects the lab creates outside kube-prometheus-stack — the
// target chart's ServiceMonitor and the observability stack's PrometheusRule — for tests against a
// real API server (the sim cluster), where kube-prometheus-stack itself cannot be installed (no
// chart registry here). From the Go module proxy, never committed: the module
// github.com/prometheus-operator/prometheus-operator at the operator version kube-prometheus-stack
// 88.5.0 ships (its appVersion, v0.93.1) holds them under example/prometheus-operator-crd/; they are
// the same documents as that chart's charts/crds/crds/crd-{servicemonitors,prometheusrules}.yaml
// (compared when the pin was chosen). `go mod download` puts the module in the Go module cache
// (~4 MB, once); setup does it, and the tests call it again (instant when cached).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath, ToolUnavailable } from './goTool.ts';

/** prometheus-operator as kube-prometheus-stack 88.5.0 (lab/versions.ts) ships it: move with that pin. */
export const PROMETHEUS_OPERATOR = {
  module: 'github.com/prometheus-operator/prometheus-operator',
  version: 'v0.93.1',
} as const;

/** The CRD files, by the kind they define, in the module's example/prometheus-operator-crd/. */
export const MONITORING_CRD_FILES = {
  ServiceMonitor: 'monitoring.coreos.com_servicemonitors.yaml',
  PrometheusRule: 'monitoring.coreos.com_prometheusrules.yaml',
} as const;

export type MonitoringCrdKind = keyof typeof MONITORING_CRD_FILES;

/** Downloads the module (if not in the Go module cache yet) and returns each CRD file's path. */
export function ensureMonitoringCrds(log: (line: string) => void = () => {}): Record<MonitoringCrdKind, string> {
  if (!onPath('go')) {
    throw new ToolUnavailable(`the ServiceMonitor and PrometheusRule CRDs come from the Go module ${PROMETHEUS_OPERATOR.module}: install Go >= 1.24 (https://go.dev/doc/install)`);
  }
  const spec = `${PROMETHEUS_OPERATOR.module}@${PROMETHEUS_OPERATOR.version}`;
  log(`monitoring CRDs: go mod download ${spec} (once; the Go module cache keeps it)`);
  let info: { Dir?: string; Error?: string };
  try {
    // outside any module: nothing of this repository's is read or changed
    info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', spec], { cwd: tmpdir(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as typeof info;
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    const said = /"Error":\s*"([^"]*)"/.exec(out)?.[1] ?? (error as Error).message.split('\n')[0];
    throw new ToolUnavailable(`go mod download ${spec} failed: ${said}`);
  }
  if (!info.Dir) throw new ToolUnavailable(`go mod download ${spec} failed: ${info.Error ?? 'no module folder'}`);
  const files = Object.fromEntries(
    Object.entries(MONITORING_CRD_FILES).map(([kind, file]) => [kind, join(info.Dir!, 'example', 'prometheus-operator-crd', file)]),
  ) as Record<MonitoringCrdKind, string>;
  const missing = Object.values(files).filter((f) => !existsSync(f));
  if (missing.length > 0) throw new ToolUnavailable(`${spec} has no ${missing.join(', ')}: check the pin`);
  return files;
}
