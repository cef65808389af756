// Grafana dashboards as ConfigMaps the Grafana sidecar picks up (label grafana_dashboard: "1").

import type { LabConfig } from '../../config/types.ts';
import { DASHBOARD_LABEL } from '../values/kubePrometheusStack.ts';
import { LAB_LABELS, type ConfigMapObject } from './types.ts';

/** ConfigMaps hold at most 1 MiB. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

export interface DashboardFile {
  /** file name, e.g. "k6-native-histograms.json" */
  file: string;
  json: string;
}

export function dashboardConfigMaps(config: LabConfig, dashboards: readonly DashboardFile[]): ConfigMapObject[] {
  return dashboards.map(({ file, json }) => {
    const bytes = Buffer.byteLength(json);
    if (bytes > CONFIGMAP_MAX_BYTES) throw new Error(`dashboard ${file} is ${bytes} bytes; a ConfigMap holds at most ${CONFIGMAP_MAX_BYTES}`);
    const name = `dashboard-${file.replace(/\.json$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: config.namespaces.monitoring,
        labels: { ...LAB_LABELS, ...DASHBOARD_LABEL },
        annotations: { grafana_folder: 'perflab' },
      },
      data: { [file]: json },
    };
  });
}
