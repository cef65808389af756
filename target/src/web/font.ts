// The front end's web font: a real TrueType font (cmap, glyf, loca, head, hhea, hmtx, maxp, name,
// OS/2, post) built from a 5 x 7 pixel alphabet, in a regular and a bold weight. The headings and
// the brand use it; the browser downloads, sanitizes and renders it like any web font, so the
// page's font bytes are real ones. Lower case is drawn as small capitals.

const UNITS_PER_EM = 1000;
const PIXEL = 100;
const ADVANCE = 6 * PIXEL;
const ASCENT = 800;
const DESCENT = 200;

// 5 x 7 bitmaps, top row first; '#' is ink.
const GLYPHS: Record<string, string> = {
  A: '.###.|#...#|#...#|#####|#...#|#...#|#...#', B: '####.|#...#|#...#|####.|#...#|#...#|####.',
  C: '.###.|#...#|#....|#....|#....|#...#|.###.', D: '####.|#...#|#...#|#...#|#...#|#...#|####.',
  E: '#####|#....|#....|####.|#....|#....|#####', F: '#####|#....|#....|####.|#....|#....|#....',
  G: '.###.|#...#|#....|#.###|#...#|#...#|.####', H: '#...#|#...#|#...#|#####|#...#|#...#|#...#',
  I: '.###.|..#..|..#..|..#..|..#..|..#..|.###.', J: '..###|...#.|...#.|...#.|...#.|#..#.|.##..',
  K: '#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#', L: '#....|#....|#....|#....|#....|#....|#####',
  M: '#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#', N: '#...#|#...#|##..#|#.#.#|#..##|#...#|#...#',
  O: '.###.|#...#|#...#|#...#|#...#|#...#|.###.', P: '####.|#...#|#...#|####.|#....|#....|#....',
  Q: '.###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#', R: '####.|#...#|#...#|####.|#.#..|#..#.|#...#',
  S: '.####|#....|#....|.###.|....#|....#|####.', T: '#####|..#..|..#..|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|#...#|#...#|.###.', V: '#...#|#...#|#...#|#...#|#...#|.#.#.|..#..',
  W: '#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.', X: '#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#',
  Y: '#...#|#...#|.#.#.|..#..|..#..|..#..|..#..', Z: '#####|....#|...#.|..#..|.#...|#....|#####',
  0: '.###.|#...#|#..##|#.#.#|##..#|#...#|.###.', 1: '..#..|.##..|..#..|..#..|..#..|..#..|.###.',
  2: '.###.|#...#|....#|...#.|..#..|.#...|#####', 3: '#####|...#.|..#..|...#.|....#|#...#|.###.',
  4: '...#.|..##.|.#.#.|#..#.|#####|...#.|...#.', 5: '#####|#....|####.|....#|....#|#...#|.###.',
  6: '..##.|.#...|#....|####.|#...#|#...#|.###.', 7: '#####|....#|...#.|..#..|.#...|.#...|.#...',
  8: '.###.|#...#|#...#|.###.|#...#|#...#|.###.', 9: '.###.|#...#|#...#|.####|....#|...#.|.##..',
  '.': '.....|.....|.....|.....|.....|.##..|.##..', ',': '.....|.....|.....|.....|.##..|..#..|.#...',
  ':': '.....|.##..|.##..|.....|.##..|.##..|.....', ';': '.....|.##..|.##..|.....|.##..|..#..|.#...',
  '!': '..#..|..#..|..#..|..#..|..#..|.....|..#..', '?': '.###.|#...#|....#|...#.|..#..|.....|..#..',
  "'": '..#..|..#..|.#...|.....|.....|.....|.....', '"': '.#.#.|.#.#.|.#.#.|.....|.....|.....|.....',
  '-': '.....|.....|.....|#####|.....|.....|.....', '_': '.....|.....|.....|.....|.....|.....|#####',
  '(': '...#.|..#..|.#...|.#...|.#...|..#..|...#.', ')': '.#...|..#..|...#.|...#.|...#.|..#..|.#...',
  '/': '.....|....#|...#.|..#..|.#...|#....|.....', '&': '.##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#',
  '+': '.....|..#..|..#..|#####|..#..|..#..|.....', '%': '##...|##..#|...#.|..#..|.#...|#..##|...##',
  '#': '.#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.', '@': '.###.|#...#|....#|.##.#|#.#.#|#.#.#|.###.',
  '*': '.....|..#..|#.#.#|.###.|#.#.#|..#..|.....', '=': '.....|.....|#####|.....|#####|.....|.....',
  '<': '...#.|..#..|.#...|#....|.#...|..#..|...#.', '>': '.#...|..#..|...#.|....#|...#.|..#..|.#...',
  '[': '.###.|.#...|.#...|.#...|.#...|.#...|.###.', ']': '.###.|...#.|...#.|...#.|...#.|...#.|.###.',
};
/** Small capitals: the capital's pixels on rows 2..6 only (the top two rows dropped, the rest kept). */
function smallCap(rows: string[]): string[] {
  return ['.....', '.....', rows[0]!, rows[1]!, rows[3]!, rows[5]!, rows[6]!];
}

interface Glyph {
  /** rectangles [x0, y0, x1, y1] in font units, y up. */
  boxes: Array<[number, number, number, number]>;
}

function glyphOf(char: string, bold: boolean): Glyph {
  const upper = char.toUpperCase();
  const art = GLYPHS[char] ?? GLYPHS[upper];
  if (!art) return { boxes: [] };
  let rows = art.split('|');
  if (char !== upper && GLYPHS[upper]) rows = smallCap(rows);
  const boxes: Glyph['boxes'] = [];
  rows.forEach((row, r) => {
    // a run of ink in a row is one rectangle (fewer points, a smaller font)
    for (let c = 0; c < row.length; c++) {
      if (row[c] !== '#') continue;
      let end = c;
      while (row[end + 1] === '#') end++;
      const y0 = (6 - r) * PIXEL;
      boxes.push([c * PIXEL + 50, y0, (end + 1) * PIXEL + 50 + (bold ? 40 : 0), y0 + PIXEL]);
      c = end;
    }
  });
  return { boxes };
}

class Writer {
  private bytes: number[] = [];
  u8(v: number) { this.bytes.push(v & 0xff); return this; }
  u16(v: number) { return this.u8(v >> 8).u8(v); }
  i16(v: number) { return this.u16(v < 0 ? v + 0x10000 : v); }
  u32(v: number) { return this.u16(Math.floor(v / 0x10000) & 0xffff).u16(v & 0xffff); }
  tag(t: string) { for (const c of t) this.u8(c.charCodeAt(0)); return this; }
  raw(b: Uint8Array) { for (const x of b) this.u8(x); return this; }
  zeros(n: number) { for (let i = 0; i < n; i++) this.u8(0); return this; }
  pad4() { while (this.bytes.length % 4) this.u8(0); return this; }
  get length() { return this.bytes.length; }
  done(): Uint8Array { return Uint8Array.from(this.bytes); }
}

/** One glyph's glyf record: contours of its rectangles, drawn clockwise (TrueType's outer direction). */
function glyfRecord(g: Glyph): Uint8Array {
  if (g.boxes.length === 0) return new Uint8Array(0);
  const points = g.boxes.flatMap(([x0, y0, x1, y1]) => [[x0, y0], [x0, y1], [x1, y1], [x1, y0]] as Array<[number, number]>);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const w = new Writer().i16(g.boxes.length).i16(Math.min(...xs)).i16(Math.min(...ys)).i16(Math.max(...xs)).i16(Math.max(...ys));
  g.boxes.forEach((_, i) => w.u16(i * 4 + 3));
  w.u16(0); // no instructions
  const flags: number[] = [];
  const xb: number[] = [];
  const yb: number[] = [];
  let px = 0;
  let py = 0;
  for (const [x, y] of points) {
    let flag = 0x01; // on curve
    const dx = x - px;
    const dy = y - py;
    if (dx === 0) flag |= 0x10;
    else if (Math.abs(dx) < 256) { flag |= 0x02 | (dx > 0 ? 0x10 : 0); xb.push(Math.abs(dx)); }
    else { xb.push((dx >> 8) & 0xff, dx & 0xff); }
    if (dy === 0) flag |= 0x20;
    else if (Math.abs(dy) < 256) { flag |= 0x04 | (dy > 0 ? 0x20 : 0); yb.push(Math.abs(dy)); }
    else { yb.push((dy >> 8) & 0xff, dy & 0xff); }
    flags.push(flag);
    px = x;
    py = y;
  }
  for (const f of flags) w.u8(f);
  for (const b of xb) w.u8(b);
  for (const b of yb) w.u8(b);
  return w.pad4().done();
}

function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) {
    sum = (sum + (((data[i] ?? 0) << 24) | ((data[i + 1] ?? 0) << 16) | ((data[i + 2] ?? 0) << 8) | (data[i + 3] ?? 0))) >>> 0;
  }
  return sum;
}

function utf16be(text: string): Uint8Array {
  const w = new Writer();
  for (const c of text) w.u16(c.charCodeAt(0));
  return w.done();
}

/** The font file (TrueType, .ttf) of the pixel family in one weight. */
export function pixelFont(family: string, bold: boolean): Buffer {
  const first = 32;
  const last = 126;
  const chars = Array.from({ length: last - first + 1 }, (_, i) => String.fromCharCode(first + i));
  const glyphs: Glyph[] = [{ boxes: [[50, 0, 450, 700]] }, ...chars.map((c) => glyphOf(c, bold))]; // 0: .notdef, a block
  const records = glyphs.map(glyfRecord);
  const glyf = new Writer();
  const loca = new Writer();
  for (const rec of records) { loca.u32(glyf.length); glyf.raw(rec); }
  loca.u32(glyf.length);
  const all = glyphs.flatMap((g) => g.boxes);
  const xMax = Math.max(...all.map((b) => b[2]));
  const maxPoints = Math.max(...glyphs.map((g) => g.boxes.length * 4));
  const maxContours = Math.max(...glyphs.map((g) => g.boxes.length));
  const subfamily = bold ? 'Bold' : 'Regular';

  const head = new Writer().u32(0x00010000).u32(0x00010000).u32(0).u32(0x5f0f3cf5).u16(0x000b).u16(UNITS_PER_EM)
    .zeros(16).i16(0).i16(0).i16(xMax).i16(700).u16(bold ? 1 : 0).u16(8).i16(2).i16(1).i16(0);
  const hhea = new Writer().u32(0x00010000).i16(ASCENT).i16(-DESCENT).i16(0).u16(ADVANCE).i16(0).i16(0).i16(xMax)
    .i16(1).i16(0).i16(0).zeros(8).i16(0).u16(glyphs.length);
  const hmtx = new Writer();
  for (const g of glyphs) hmtx.u16(ADVANCE).i16(g.boxes.length ? Math.min(...g.boxes.map((b) => b[0])) : 0);
  const maxp = new Writer().u32(0x00010000).u16(glyphs.length).u16(maxPoints).u16(maxContours).u16(0).u16(0)
    .u16(2).zeros(16);
  const os2 = new Writer().u16(4).i16(ADVANCE).u16(bold ? 700 : 400).u16(5).u16(0)
    .i16(650).i16(700).i16(0).i16(140).i16(650).i16(700).i16(0).i16(480).i16(50).i16(250).i16(0)
    .zeros(10).u32(1).u32(0).u32(0).u32(0).tag('PFLB').u16(bold ? 0x20 : 0x40).u16(first).u16(last)
    .i16(ASCENT).i16(-DESCENT).i16(0).u16(ASCENT).u16(DESCENT).u32(1).u32(0).i16(500).i16(700).u16(0).u16(32).u16(1);
  const names: Array<[number, string]> = [
    [1, family], [2, subfamily], [3, `${family}-${subfamily}`], [4, `${family} ${subfamily}`], [5, 'Version 1.000'], [6, `${family}-${subfamily}`],
  ];
  const strings = names.map(([, s]) => utf16be(s));
  const name = new Writer().u16(0).u16(names.length).u16(6 + names.length * 12);
  let offset = 0;
  names.forEach(([id], i) => { name.u16(3).u16(1).u16(0x409).u16(id).u16(strings[i]!.length).u16(offset); offset += strings[i]!.length; });
  for (const s of strings) name.raw(s);
  const post = new Writer().u32(0x00030000).u32(0).i16(-100).i16(50).u32(1).zeros(16);
  // cmap format 4: one segment 32..126 -> glyphs 1..95, and the closing 0xFFFF segment
  const segments = [{ start: first, end: last, delta: 1 - first }, { start: 0xffff, end: 0xffff, delta: 1 }];
  const segX2 = segments.length * 2;
  const searchRange = 2 * 2 ** Math.floor(Math.log2(segments.length));
  const sub = new Writer().u16(4).u16(16 + segments.length * 8).u16(0).u16(segX2).u16(searchRange)
    .u16(Math.log2(searchRange / 2)).u16(segX2 - searchRange);
  for (const s of segments) sub.u16(s.end);
  sub.u16(0);
  for (const s of segments) sub.u16(s.start);
  for (const s of segments) sub.i16(s.delta);
  for (let i = 0; i < segments.length; i++) sub.u16(0);
  const cmap = new Writer().u16(0).u16(1).u16(3).u16(1).u32(12).raw(sub.done());

  const tables: Array<[string, Uint8Array]> = ([
    ['OS/2', os2.done()], ['cmap', cmap.done()], ['glyf', glyf.done()], ['head', head.done()], ['hhea', hhea.done()],
    ['hmtx', hmtx.done()], ['loca', loca.done()], ['maxp', maxp.done()], ['name', name.done()], ['post', post.done()],
  ] as Array<[string, Uint8Array]>).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const entrySelector = Math.floor(Math.log2(tables.length));
  const font = new Writer().u32(0x00010000).u16(tables.length).u16(16 * 2 ** entrySelector).u16(entrySelector)
    .u16(tables.length * 16 - 16 * 2 ** entrySelector);
  let at = 12 + tables.length * 16;
  const body = new Writer();
  for (const [tag, data] of tables) {
    font.tag(tag).u32(checksum(data)).u32(at).u32(data.length);
    body.raw(data).pad4();
    at = 12 + tables.length * 16 + body.length;
  }
  const file = Buffer.from([...font.done(), ...body.done()]);
  // head.checkSumAdjustment: 0xB1B0AFBA minus the checksum of the whole font
  const headAt = file.indexOf(Buffer.from('head')) + 8;
  const headOffset = file.readUInt32BE(headAt);
  file.writeUInt32BE((0xb1b0afba - checksum(file) + 0x100000000) >>> 0, headOffset + 8);
  return file;
}
