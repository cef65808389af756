// Free loopback ports, chosen at run time so that two labs (or a lab and a test) never collide.

import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Redis Cluster talks on port + 10000 (the cluster bus): keep both below 65536. */
const MAX_PORT_WITH_BUS = 55_535;

const handedOut = new Set<number>();

async function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(got));
    });
  });
}

/** A free loopback port not handed out before in this process. */
export async function freePort(options: { withClusterBus?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await probe(0);
    if (port === undefined || handedOut.has(port)) continue;
    if (options.withClusterBus) {
      if (port > MAX_PORT_WITH_BUS || handedOut.has(port + 10_000)) continue;
      if ((await probe(port + 10_000)) === undefined) continue;
      handedOut.add(port + 10_000);
    }
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port found after 200 attempts');
}

export async function freePorts(count: number, options: { withClusterBus?: boolean } = {}): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort(options));
  return ports;
}
