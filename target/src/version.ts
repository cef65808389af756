// The target service's identity, owned by the service (it reports its version at /api/v1/status)
// and read by the lab (lab/versions.ts re-exports it for the chart and the image): its image, its
// version (the chart's appVersion), and the Node base image of target/Dockerfile (a test keeps them
// in step).

export const TARGET_API = {
  image: 'perflab/target-api',
  version: '0.1.0',
  nodeImage: 'node:20.20.2-bookworm-slim',
} as const;
