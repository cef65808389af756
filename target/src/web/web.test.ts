import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { buildWebAssets, STATIC_PREFIX, WEB_PAGES, type WebAssets } from './assets.ts';
import { pixelFont } from './font.ts';
import { encodePng } from './png.ts';
import { configFromEnv } from '../config.ts';

const KiB = 1024;
const plain = buildWebAssets({ inflate: false, renderDelayMs: 0 });
const inflated = buildWebAssets({ inflate: true, renderDelayMs: 0 });

/** The static files a page references (its HTML, and the cluster pictures its app shows: four). */
function pageWeight(assets: WebAssets, page: (typeof WEB_PAGES)[number]): Record<string, number> {
  const html = assets.pages[page];
  const weight: Record<string, number> = { javascript: 0, css: 0, images: 0, fonts: 0, total: Buffer.byteLength(html) };
  const names = [...html.matchAll(/\/app\/static\/([A-Za-z0-9.-]+)/g)].map((m) => m[1]!);
  const pictures = names.filter((n) => n.startsWith('career-'));
  const direct = names.filter((n) => !n.startsWith('career-'));
  const used = [...new Set(direct), ...(page === 'login' ? [] : pictures.slice(0, 4))];
  for (const name of used) {
    const file = assets.files.get(name);
    assert.ok(file, `${page} references ${name}, which is not served`);
    const type = file.contentType.includes('javascript') ? 'javascript' : file.contentType.includes('css') ? 'css'
      : file.contentType.startsWith('image/') ? 'images' : 'fonts';
    weight[type]! += file.body.length;
    weight.total! += file.body.length;
  }
  return weight;
}

test('every page is sized like a real page and within the guidelines\' budget; inflated, it breaks the JavaScript, image and total budgets', () => {
  for (const page of WEB_PAGES) {
    const w = pageWeight(plain, page);
    assert.ok(w.javascript! > 100 * KiB && w.javascript! < 200 * KiB, `${page} javascript ${w.javascript}`);
    assert.ok(w.css! > 25 * KiB && w.css! < 50 * KiB, `${page} css ${w.css}`);
    assert.ok(w.fonts! > 10 * KiB && w.fonts! < 100 * KiB, `${page} fonts ${w.fonts}`);
    assert.ok(w.images! > 100 * KiB && w.images! < 500 * KiB, `${page} images ${w.images}`);
    assert.ok(w.total! < 1024 * KiB, `${page} total ${w.total}`);
  }
  const heavy = pageWeight(inflated, 'dashboard');
  assert.ok(heavy.javascript! > 200 * KiB, `inflated javascript ${heavy.javascript}`);
  assert.ok(heavy.images! > 500 * KiB, `inflated images ${heavy.images}`);
  assert.ok(heavy.total! > 1024 * KiB, `inflated total ${heavy.total}`);
  assert.ok(heavy.css! < 50 * KiB && heavy.fonts! < 100 * KiB, 'inflating leaves CSS and fonts alone');
});

test('assets are content-addressed and the same at every start; pages name a render delay only when one is set', () => {
  const again = buildWebAssets({ inflate: false, renderDelayMs: 0 });
  assert.deepEqual([...again.files.keys()].sort(), [...plain.files.keys()].sort());
  for (const name of plain.files.keys()) assert.match(name, /\.[0-9a-f]{8}\.(js|css|png|ttf)$/);
  assert.doesNotMatch(plain.pages.dashboard, /data-render-delay/);
  assert.match(buildWebAssets({ inflate: false, renderDelayMs: 2500 }).pages.dashboard, /data-render-delay="2500"/);
  for (const page of WEB_PAGES) assert.match(plain.pages[page], new RegExp(`data-page="${page}"`));
  const html = WEB_PAGES.map((p) => plain.pages[p]).join('');
  for (const name of plain.files.keys()) assert.ok(html.includes(`${STATIC_PREFIX}${name}`), `${name} is served but no page names it`);
});

test('the PNG encoder writes a PNG whose pixels read back', () => {
  const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
  const png = encodePng(4, 3, rgb);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const idatAt = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4)));
  // undo filter 1 (Sub) and compare
  const out: number[] = [];
  for (let y = 0; y < 3; y++) {
    const row = raw.subarray(y * 13, y * 13 + 13);
    assert.equal(row[0], 1);
    for (let i = 0; i < 12; i++) out.push((row[1 + i]! + (i >= 3 ? out[y * 12 + i - 3]! : 0)) & 0xff);
  }
  assert.deepEqual(out, [...rgb]);
});

test('the web font is a TrueType file with its tables, glyphs for printable ASCII, and the weight in OS/2', () => {
  for (const bold of [false, true]) {
    const font = pixelFont('Pathway Pixel', bold);
    assert.equal(font.readUInt32BE(0), 0x00010000);
    const tables = Array.from({ length: font.readUInt16BE(4) }, (_, i) => font.toString('latin1', 12 + i * 16, 16 + i * 16));
    assert.deepEqual(tables, ['OS/2', 'cmap', 'glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp', 'name', 'post']);
    const at = (tag: string) => font.readUInt32BE(12 + tables.indexOf(tag) * 16 + 8);
    assert.equal(font.readUInt16BE(at('maxp') + 4), 96, '.notdef and 95 printable characters');
    assert.equal(font.readUInt16BE(at('OS/2') + 4), bold ? 700 : 400);
    assert.equal(font.readUInt32BE(at('head') + 12), 0x5f0f3cf5);
    // the whole font sums to 0xB1B0AFBA (head.checkSumAdjustment is right)
    let sum = 0;
    for (let i = 0; i < font.length; i += 4) sum = (sum + font.readUInt32BE(i)) >>> 0;
    assert.equal(sum, 0xb1b0afba);
  }
});

test('TARGET_WEB_INFLATE and TARGET_WEB_RENDER_DELAY_MS are read and checked', () => {
  const base = { DATABASE_PRIMARY_URL: 'postgres://a:b@h:5432/d', REDIS_NODES: 'h:7000' };
  assert.deepEqual([configFromEnv(base).webInflate, configFromEnv(base).webRenderDelayMs], [false, 0]);
  const set = configFromEnv({ ...base, TARGET_WEB_INFLATE: 'true', TARGET_WEB_RENDER_DELAY_MS: '3000' });
  assert.deepEqual([set.webInflate, set.webRenderDelayMs], [true, 3000]);
  assert.throws(() => configFromEnv({ ...base, TARGET_WEB_INFLATE: 'yes' }), /TARGET_WEB_INFLATE="yes" is invalid: expected true or false/);
  assert.throws(() => configFromEnv({ ...base, TARGET_WEB_RENDER_DELAY_MS: '-1' }), /TARGET_WEB_RENDER_DELAY_MS/);
});
