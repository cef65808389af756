// The front end's illustrations: real PNG images (RGB, zlib-compressed scanlines) drawn from a
// seed, so every start serves the same bytes and the page weights the browser scenario measures are
// stable. A soft gradient, a few shapes in the career cluster's colours and a photo-like grain;
// the grain is what keeps the files at the size of real photos (noise does not compress).

import { deflateSync } from 'node:zlib';

/** mulberry32: a small seeded PRNG (the same seed always draws the same picture). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG file of an RGB image (`rgb`: width * height * 3 bytes, rows top to bottom). */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  // every scanline with PNG filter 1 (Sub: each byte minus the same channel of the pixel to its left)
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const out = y * (stride + 1);
    raw[out] = 1;
    for (let i = 0; i < stride; i++) {
      const left = i >= 3 ? rgb[y * stride + i - 3]! : 0;
      raw[out + 1 + i] = (rgb[y * stride + i]! - left) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export interface Illustration {
  width: number;
  height: number;
  /** two colours of the gradient, [r, g, b]. */
  from: readonly [number, number, number];
  to: readonly [number, number, number];
  seed: number;
  /** amplitude of the grain (0: none, a flat image compresses to almost nothing). */
  grain: number;
}

/** A seeded illustration: a diagonal gradient, soft discs, grain. */
export function illustration(spec: Illustration): Buffer {
  const { width, height, from, to, grain } = spec;
  const random = prng(spec.seed);
  // the light of the discs, added disc by disc over each one's bounding box only
  const light = new Float32Array(width * height).fill(1);
  for (let n = 0; n < 6; n++) {
    const r = (0.1 + random() * 0.3) * Math.min(width, height) * 1.5;
    const cx = random() * width;
    const cy = random() * height;
    const shade = (random() * 0.5 + 0.25) * 0.6;
    const r2 = r * r;
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, Math.ceil(cy + r)); y++) {
      const dy2 = (y - cy) * (y - cy);
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, Math.ceil(cx + r)); x++) {
        const d2 = (x - cx) * (x - cx) + dy2;
        if (d2 < r2) light[y * width + x]! += (1 - d2 / r2) * shade;
      }
    }
  }
  // luminance grain from a 32-bit LCG (the same on every channel)
  let seed = (spec.seed * 2654435761) >>> 0;
  const rgb = new Uint8Array(width * height * 3);
  const [r0, g0, b0] = from;
  const dr = to[0] - r0;
  const dg = to[1] - g0;
  const db = to[2] - b0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const t = (x / width + y / height) / 2;
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const noise = grain === 0 ? 0 : Math.round(((seed >>> 8) / 16777216 - 0.5) * 2 * grain);
      const l = light[i]!;
      const o = i * 3;
      rgb[o] = clamp((r0 + dr * t) * l + noise);
      rgb[o + 1] = clamp((g0 + dg * t) * l + noise);
      rgb[o + 2] = clamp((b0 + db * t) * l + noise);
    }
  }
  return encodePng(width, height, rgb);
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
