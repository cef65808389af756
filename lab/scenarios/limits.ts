// The ConfigMap size limit a scenario bundle must fit to reach the k6-operator. Pure (no esbuild),
// so the TestRun/ConfigMap builders can guard with it too.

/** Kubernetes caps a ConfigMap's data at 1 MiB. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

export class ScenarioTooLarge extends Error {
  constructor(
    readonly file: string,
    readonly bytes: number,
  ) {
    super(
      `${file} bundles to ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB), over the ${CONFIGMAP_MAX_BYTES}-byte ` +
        `(1 MiB) ConfigMap limit: generate large data at run time (as scenarios/upload.ts does) instead of importing it`,
    );
  }
}

export function assertFitsConfigMap(file: string, bytes: number): void {
  if (bytes > CONFIGMAP_MAX_BYTES) throw new ScenarioTooLarge(file, bytes);
}
