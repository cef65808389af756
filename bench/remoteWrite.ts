// A minimal Prometheus remote-write 1.0 client for the benchmarks: the WriteRequest protobuf
// (prompb: TimeSeries with float samples and float native histograms) encoded by hand, and the
// body framed as a snappy block of literals (a valid snappy stream that does not compress: the
// receiver only needs to decode it). Enough to put an 8-hour soak's worth of k6-shaped series into
// a real Prometheus in a minute, without k6 running for 8 hours.

export interface FloatHistogramSample {
  timestampMs: number;
  count: number;
  sum: number;
  schema: number;
  zeroCount: number;
  /** index of the first positive bucket, and the counts of the buckets from there (consecutive). */
  offset: number;
  counts: number[];
}

export interface WriteSeries {
  labels: Record<string, string>;
  samples?: Array<{ timestampMs: number; value: number }>;
  histograms?: FloatHistogramSample[];
}

class Writer {
  private chunks: number[] = [];
  varint(v: number): this {
    let n = BigInt(Math.round(v));
    if (n < 0n) n += 1n << 64n;
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) byte |= 0x80;
      this.chunks.push(byte);
    } while (n > 0n);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  double(field: number, v: number): this {
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.chunks.push(...b);
    return this;
  }
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const x of data) this.chunks.push(x);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  packedDoubles(field: number, values: number[]): this {
    const b = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => b.writeDoubleLE(v, i * 8));
    return this.bytes(field, b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const zigzag = (v: number) => (v >= 0 ? v * 2 : -v * 2 - 1);

function histogram(h: FloatHistogramSample): Uint8Array {
  const span = new Writer().tag(1, 0).varint(zigzag(h.offset)).tag(2, 0).varint(h.counts.length).done();
  return new Writer()
    .double(2, h.count) // count_float
    .double(3, h.sum)
    .tag(4, 0).varint(zigzag(h.schema))
    .double(5, 1e-128) // zero_threshold, as client_golang's default
    .double(7, h.zeroCount) // zero_count_float
    .bytes(11, span) // positive_spans
    .packedDoubles(13, h.counts) // positive_counts
    .tag(15, 0).varint(h.timestampMs)
    .done();
}

function timeSeries(s: WriteSeries): Uint8Array {
  const w = new Writer();
  for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    w.bytes(1, new Writer().string(1, name).string(2, value).done());
  }
  for (const p of s.samples ?? []) w.bytes(2, new Writer().double(1, p.value).tag(2, 0).varint(p.timestampMs).done());
  for (const h of s.histograms ?? []) w.bytes(4, histogram(h));
  return w.done();
}

export function writeRequest(series: readonly WriteSeries[]): Buffer {
  const parts = series.map((s) => {
    const ts = timeSeries(s);
    const head = new Writer().tag(1, 2).varint(ts.length).done();
    return Buffer.concat([head, ts]);
  });
  return Buffer.concat(parts);
}

/** A snappy block holding `data` as literals (64 KiB each). */
export function snappyLiterals(data: Buffer): Buffer {
  const out: Buffer[] = [];
  const len = new Writer().varint(data.length).done();
  out.push(Buffer.from(len));
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, i + 65536);
    const n = chunk.length - 1;
    out.push(n < 60 ? Buffer.from([n << 2]) : n < 256 ? Buffer.from([60 << 2, n]) : Buffer.from([61 << 2, n & 0xff, n >> 8]), chunk);
  }
  return Buffer.concat(out);
}

export async function remoteWrite(url: string, series: readonly WriteSeries[]): Promise<void> {
  const body = snappyLiterals(writeRequest(series));
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
  });
  if (!response.ok) throw new Error(`remote write: HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
}
