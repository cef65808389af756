// Per-request time spent in the database and in the cache, reported in the Server-Timing header
// so a load test can check "complex queries < 100 ms" from the client side.

export class RequestTiming {
  dbMs = 0;
  cacheMs = 0;
  readonly startedAt = performance.now();

  async db<T>(work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.dbMs += performance.now() - start;
    }
  }

  async cache<T>(work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.cacheMs += performance.now() - start;
    }
  }

  header(): string {
    const total = performance.now() - this.startedAt;
    return `db;dur=${this.dbMs.toFixed(2)}, cache;dur=${this.cacheMs.toFixed(2)}, total;dur=${total.toFixed(2)}`;
  }
}

/** Parses a Server-Timing header into name -> duration (ms). */
export function parseServerTiming(header: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    if (name && dur) out[name] = Number(dur.slice(4));
  }
  return out;
}
