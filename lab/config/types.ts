// The lab config: everything the stacks, kind and lab-up need to know, typed.
// Profiles (profiles.ts) give complete defaults; a config file may override any field; the
// result is validated (validate.ts) before anything is synthesized.

import type { ChartPin } from '../versions.ts';
import type { NodePool } from '../cluster/pools.ts';
import type { Sla } from '../sla/catalogue.ts';
import type { CapacityConfig } from '../capacity/settings.ts';

/**
 * Where the lab's cluster comes from. `kind`: a 5-node kind cluster lab-up creates on this machine.
 * `cloud`: an existing cluster reached through a kubeconfig context. `sim`: a simulated cluster
 * (a real control plane with kwok nodes, lab/sim), reached through its kubeconfig like cloud and
 * sized like kind.
 */
export type LabProfileName = 'kind' | 'cloud' | 'sim';

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface ImagePin {
  repository: string;
  tag: string;
}

/**
 * A pinned chart and where to get it. `repository`: an https:// or http:// Helm repository (a
 * mirror; http only on a network you trust, as nothing is verified) or an oci:// registry.
 * @default the upstream repositories of lab/versions.ts
 */
export interface ChartSource extends ChartPin {
  /**
   * CA bundle (PEM) that signed an https:// repository's certificate, for a mirror with a private
   * CA; absolute, "~/..." or relative to where the command runs (made absolute when loaded).
   * @default none: the system's CAs
   */
  caFile?: string;
}

/** A node's size as the node reports it (its capacity); the fit check (lab/config/fit.ts) takes what the platform reserves off. */
export interface NodeSize {
  /** CPU cores, a CPU quantity such as "4" or "3500m". */
  cpu: string;
  /** memory, a quantity such as "16Gi". */
  memory: string;
  /** pods the node admits (the kubelet's maxPods). @default 110 */
  pods: number;
}

/** One Alertmanager route: alerts matching all `matchers` go to `receiver`. */
export interface AlertRoute {
  receiver: string;
  /** Alertmanager matchers, e.g. 'severity="critical"' or 'sla=~"api_.*"'. */
  matchers: string[];
  /** where the receiver posts (Alertmanager webhook); omitted = the alert is visible in the UI only. */
  webhookUrl?: string;
  /** stop at this route (default true). */
  continue?: boolean;
}

export interface LabConfig {
  profile: LabProfileName;
  cluster: {
    /** kind cluster name (kind profile) or a label for the lab (cloud, sim; node names start with it). @default "perflab" */
    name: string;
    /** kubeconfig context the stacks deploy into. @default "kind-perflab" (kind: must be 'kind-<name>'), "perflab" (cloud), "perflab-sim" (sim) */
    context: string;
    /**
     * kubeconfig file. In a config file: absolute, "~/..." or relative to the directory the
     * command runs from; the loaded config always holds the absolute path (resolve.ts).
     * @default "~/.kube/config" (kind, cloud); "<repository>/.lab/sim/kubeconfig" (sim, SIM_KUBECONFIG)
     */
    kubeconfig: string;
    /** 'pools': pin pods to node pools by label (kind labels its workers); 'none': let the scheduler decide. @default "pools" */
    placement: 'pools' | 'none';
    /**
     * The worker nodes the lab is sized for: one per node pool (lab/cluster/pools.ts), by pool,
     * plus a control plane that runs none of the lab's pods. `clusterNodes(config)` lists them
     * (lab/cluster/pools.ts; the simulated cluster creates exactly those); `fitCheck(config)`
     * (lab/config/fit.ts) says whether the lab's requests fit them.
     * @default kind, sim: every pool { cpu: "8", memory: "16Gi", pods: 110 } (a kind node reports
     *   its host's CPUs and memory, and all five share that host: a typical workstation with Docker)
     * @default cloud: every pool { cpu: "4", memory: "16Gi", pods: 110 } (the request's
     *   "5 nodes x 4 cores / 16 GB")
     */
    nodes: Record<NodePool, NodeSize>;
  };
  namespaces: {
    operators: string;
    monitoring: string;
    data: string;
    app: string;
    load: string;
  };
  /** every chart the stacks install, with the repository it comes from (a mirror may replace it). */
  charts: {
    kubePrometheusStack: ChartSource;
    k6Operator: ChartSource;
    cnpgOperator: ChartSource;
    cnpgCluster: ChartSource;
    redisOperator: ChartSource;
    redisCluster: ChartSource;
  };
  images: {
    postgres: ImagePin & { major: string };
    redis: ImagePin;
    redisExporter: ImagePin;
  };
  postgres: {
    clusterName: string;
    /** 3 = 1 primary + 2 streaming hot standbys (services <name>-rw, <name>-ro). */
    instances: number;
    storageSize: string;
    storageClass?: string;
    resources: Resources;
    /** postgresql.conf parameters (strings, as CloudNativePG wants them). */
    parameters: Record<string, string>;
    database: string;
    owner: string;
    pool: NodePool;
  };
  redis: {
    clusterName: string;
    /** number of primaries (hash-slot shards). */
    shards: number;
    /** replicas per shard (the OT operator supports exactly as many followers as leaders: 1). */
    replicasPerShard: number;
    storageSize: string;
    resources: Resources;
    pool: NodePool;
  };
  monitoring: {
    /** Prometheus retention, e.g. '15d'. */
    retention: string;
    /** must stay true: k6 remote-writes into Prometheus. */
    remoteWriteReceiver: boolean;
    scrapeInterval: string;
    prometheusStorageSize: string;
    prometheusResources: Resources;
    /** turn off etcd/scheduler/controller-manager/kube-proxy scraping (kind binds them to localhost). */
    disableControlPlaneTargets: boolean;
    grafanaAdminUser: string;
    alertRoutes: AlertRoute[];
    /** how long an SLA must be violated before its alert fires, e.g. '2m'. */
    alertFor: string;
    /** PromQL range window of the alert expressions, e.g. '5m'. */
    alertWindow: string;
    /**
     * The cardinality guard's levels, in Prometheus series one run may make: over `warnSeries` the
     * progress line and the verdict warn, at `maxSeries` every runner is stopped (a lab failure).
     * @default { warnSeries: 2000, maxSeries: 20000 } (lab/analysis/cardinality.ts says why)
     */
    cardinality: { warnSeries: number; maxSeries: number };
    pool: NodePool;
  };
  k6Operator: {
    /** pool the operator's controller runs on (runners go to the `load` pool via the TestRun). */
    pool: NodePool;
    /** pool the TestRun builder schedules runners onto. */
    runnerPool: NodePool;
  };
  target: {
    releaseName: string;
    /** path of the target service's Helm chart, relative to the repository root. */
    chartPath: string;
    /**
     * How the service's code reaches its pods (docs/target.md § Delivery says why bundle is the default).
     * `bundle`: the stock Node image `nodeImage` runs the service's one-file bundle (esbuild,
     * gzipped, ~360 KB) from a ConfigMap the target stack creates: no image to build, load or
     * push, on kind and on cloud alike. `image`: the service's own image `image` (target/Dockerfile);
     * on kind lab:up builds it and loads it into the nodes, on cloud it must be in `registry`
     * (`lab:up --push` builds and pushes it there).
     * @default "bundle"
     */
    delivery: 'bundle' | 'image';
    /**
     * The Node image that runs the bundle (delivery `bundle`): the Node the bundle is built for.
     * @default TARGET_API.nodeImage of target/src/version.ts ({ repository: "node", tag: "20.20.2-bookworm-slim" })
     */
    nodeImage: ImagePin;
    /** The service's own image (delivery `image`), built from target/Dockerfile. @default { repository: "perflab/target-api", tag: TARGET_API.version } */
    image: ImagePin;
    /**
     * Where the cluster pulls the service's own image from (delivery `image`), a registry host with
     * an optional path and no scheme, e.g. "ghcr.io/acme" or "registry.example.com:5000/perf": the
     * image is then <registry>/<image.repository>:<image.tag>, and `lab:up --push` builds and
     * pushes it there. Needed on cloud for delivery `image` (kind loads the image into its nodes).
     * @default none
     */
    registry?: string;
    replicas: number;
    resources: Resources;
    env: Record<string, string>;
    serviceMonitor: boolean;
    pool: NodePool;
  };
  /**
   * The capacity plan's settings (lab/capacity/settings.ts): the production load to plan for, the
   * headroom, and what a node costs per hour (no default price: unset = the cost is not computed).
   * @default { headroom: 0.3 }
   */
  capacity: CapacityConfig;
  /** the SLA catalogue (lab/sla/catalogue.ts): read-only here, every number lives there. */
  slas: readonly Sla[];
}
