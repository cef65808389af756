// Every pinned version of the lab, in one place. Charts, images and tools are imported from here
// by the stacks, the local lab, the k6 build and the docs; never retype a version elsewhere.

export const K6 = {
  /** Go module of k6 v2; built with the Go toolchain when no k6 v2 is on PATH. */
  module: 'go.k6.io/k6/v2',
  version: 'v2.2.0',
  /** the runner image the k6-operator starts on the cluster (same k6 as the local build). */
  image: 'grafana/k6:2.2.0',
} as const;

/** helm, built from the Go module proxy when not on PATH; renders and lints our charts in tests. */
export const HELM = {
  module: 'helm.sh/helm/v3',
  version: 'v3.22.0',
} as const;
