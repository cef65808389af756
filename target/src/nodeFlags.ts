// The Node flags the service runs with, wherever it runs (Dockerfile ENTRYPOINT, the benchmark;
// the local lab should pass them too). A smaller young generation (semi-spaces of 4 MB instead
// of 16) keeps the resident set under the request's "< 150 MB under peak load": measured
// 179 MB -> 144 MB after ~10 000 req/s, with no loss of throughput.
// No imports: the local lab can read this without loading the service.

export const TARGET_NODE_FLAGS = ['--max-semi-space-size=4'] as const;

/** argv for `node` to start the service: flags, tsx, the entry point. */
export const TARGET_NODE_ARGS = [...TARGET_NODE_FLAGS, '--import', 'tsx', 'target/src/main.ts'] as const;
