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

// --- the cluster lab (issue 2): Helm charts, images and kind, read by lab/config and the stacks ---

/** A Helm chart pinned to one version in one repository. */
export interface ChartPin {
  repository: string;
  chart: string;
  version: string;
}

/** kube-prometheus-stack 88.x: Prometheus 3.x, Alertmanager, Grafana, prometheus-operator CRDs. */
export const KUBE_PROMETHEUS_STACK_CHART: ChartPin = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '88.5.0',
};

/** grafana/k6-operator 4.6.0 = operator 1.6.0 (TestRun `args`). */
export const K6_OPERATOR_CHART: ChartPin = {
  repository: 'https://grafana.github.io/helm-charts',
  chart: 'k6-operator',
  version: '4.6.0',
};

/** CloudNativePG operator chart 0.29.0 = operator 1.30.0 (k8s >= 1.29). */
export const CNPG_OPERATOR_CHART: ChartPin = {
  repository: 'https://cloudnative-pg.github.io/charts',
  chart: 'cloudnative-pg',
  version: '0.29.0',
};

/** CloudNativePG `cluster` chart: renders the Cluster CR (and its PodMonitor) from values. */
export const CNPG_CLUSTER_CHART: ChartPin = {
  repository: 'https://cloudnative-pg.github.io/charts',
  chart: 'cluster',
  version: '0.8.1',
};

// The OT-CONTAINER-KIT charts' sources live in github.com/OT-CONTAINER-KIT/redis-operator
// (charts/), published to the helm-charts repository's index (its gh-pages branch: index.yaml).
// Confirmed there (index generated 2026-05-15): redis-operator 0.24.0 (created 2026-03-13, the
// newest published; its source: redis-operator commit 6864c099 "update version to 0.24.0") and
// redis-cluster 0.17.4 (created 2026-01-29, the newest published; source: commit cca0315b). The
// redis-operator repository's main branch already says 0.25.0 (2026-06-23) and 0.26.1, but no
// published index shows them: pinned is what a `helm pull` is known to find. The values we set
// (lab/cluster/values/redis*.ts, chartKeys.ts) were checked against those two commits' values.yaml.

/** OT-CONTAINER-KIT redis-operator 0.24.0 (RedisCluster CRD redis.redis.opstreelabs.in/v1beta2). */
export const REDIS_OPERATOR_CHART: ChartPin = {
  repository: 'https://ot-container-kit.github.io/helm-charts',
  chart: 'redis-operator',
  version: '0.24.0',
};

/** OT-CONTAINER-KIT redis-cluster chart 0.17.4: renders the RedisCluster CR from values. */
export const REDIS_CLUSTER_CHART: ChartPin = {
  repository: 'https://ot-container-kit.github.io/helm-charts',
  chart: 'redis-cluster',
  version: '0.17.4',
};

/** CloudNativePG's own Postgres image (the cluster chart defaults to 16 unless told). */
export const POSTGRES_IMAGE = { repository: 'ghcr.io/cloudnative-pg/postgresql', tag: '18.3', major: '18' } as const;

/** Redis for the OT operator (its chart default v7.0.15 is old). */
export const REDIS_IMAGE = { repository: 'quay.io/opstree/redis', tag: 'v7.4.4' } as const;

/** redis_exporter sidecar, upstream image (the OT chart default v1.44.0 is old). */
export const REDIS_EXPORTER_IMAGE = { repository: 'quay.io/oliver006/redis_exporter', tag: 'v1.87.0' } as const;

/** kind and the node image it boots (k8s 1.36). */
export const KIND = { version: 'v0.32.0', nodeImage: 'kindest/node:v1.36.1' } as const;

/** The target service's image, version and Node base image: the service owns them (target/src/version.ts). */
export { TARGET_API } from '../target/src/version.ts';

/**
 * Bases of the optional perflab k6 runner image (k6-operator/runner-image): the Go toolchain k6
 * v2.2.0's go.mod asks for (toolchain go1.25.12), and a static non-root runtime (distroless
 * publishes no versioned tags: pin a digest here for reproducible builds).
 */
export const K6_RUNNER_IMAGE_BASES = {
  go: 'golang:1.25.12-bookworm',
  base: 'gcr.io/distroless/static-debian12:nonroot',
  /** the browser runner's base: Debian 12, whose `chromium` package is the one the local lab runs (pin a digest for reproducible builds). */
  browser: 'debian:bookworm-slim',
} as const;

/**
 * The runner image of scenarios with browser VUs (k6/browser needs Chromium, which grafana/k6 and
 * the distroless runner lack): the runner-image recipe's `browser` target (k6-operator/runner-image),
 * built and loaded into the cluster by the user (no registry serves it).
 */
export const K6_BROWSER_RUNNER_IMAGE = `perflab/k6-browser:${K6.version.replace(/^v/, '')}`;

// --- the simulated cluster (lab/sim): a real control plane with kwok nodes on loopback, each
// binary built from the Go module proxy by lab/setup/controlPlane.ts (never a release download) ---

/**
 * kube-apiserver, kube-controller-manager, kube-scheduler and kubectl. k8s.io/kubernetes cannot be
 * built by `go install` (its go.mod replaces the staging modules with ./staging/...): the builder
 * replaces each with its published module at `stagingVersion`.
 */
export const KUBERNETES = {
  module: 'k8s.io/kubernetes',
  version: 'v1.36.1',
  stagingVersion: 'v0.36.1',
} as const;

/** etcd 3.6 (Debian's 3.4 lacks watch progress requests, and kube-apiserver 1.36's watches lag). */
export const ETCD = { module: 'go.etcd.io/etcd/server/v3', version: 'v3.6.16' } as const;

/** kwok: simulated nodes (kubelets that only post status) and pods that "run" by stage. */
export const KWOK = { module: 'sigs.k8s.io/kwok', version: 'v0.7.0' } as const;

// --- the local lab's Prometheus (lab/setup/prometheus.ts builds it into .bin/) ---

/**
 * Prometheus 3.16.0 = Go module github.com/prometheus/prometheus v0.316.0 (3.x is tagged v0.3xx.y;
 * the newest on the Go module proxy on 2026-12-01, `go list -m -versions`). Built with the
 * upstream build tag `remove_all_sd` (file, static and http discovery only: all the lab uses).
 * Why not Debian's 2.42: its discovery manager and scrape reloader wait on 5-second tickers, so it
 * scrapes nothing before ~5.1 s after its start; 3.16's discovery throttle starts at 100 ms and
 * --scrape.discovery-reload-interval has no 5 s floor. Checked here by hand (9 file_sd targets +
 * itself, first scrape interval 250 ms): every target up 5.3 s after start on 2.42 (with or without
 * a 100 ms reload interval), 0.52-0.57 s on 3.16 with 100 ms. The cluster runs 3.x too.
 */
export const PROMETHEUS = { module: 'github.com/prometheus/prometheus', version: 'v0.316.0', release: '3.16.0' } as const;
