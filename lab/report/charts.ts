// The report's charts as inline SVG (pure: data in, markup out). No library and no script: the
// page opens offline and stays small (an 8-hour soak's 120 windows make a few KB per chart). Each
// chart says when it has no data rather than drawing an empty frame; `data-points` on every <svg>
// counts what it drew (the browser test reads it).

import { xmlEscape as esc } from './junit.ts';

export interface Series {
  name: string;
  /** y value per x; null: a gap. */
  values: Array<number | null>;
  color: string;
  dashed?: boolean;
}

export interface Band {
  from: number;
  to: number;
  label: string;
}

export interface Marker {
  x: number;
  y: number;
  label: string;
  color: string;
}

export interface LineChartInput {
  id: string;
  title: string;
  unit: string;
  /** x of each value (seconds from the run's start). */
  xs: number[];
  series: Series[];
  /** shaded x ranges (fault windows). */
  bands?: Band[];
  width?: number;
  height?: number;
}

const PAD = { left: 58, right: 14, top: 28, bottom: 34 };
export const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#0a7ea4', '#bf3989', '#57606a'];

const fmt = (v: number) => {
  const a = Math.abs(v);
  if (a >= 1000) return `${+(v / 1000).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return +v.toFixed(1) + '';
  return +v.toFixed(2) + '';
};

/** Round tick values over [min, max]. */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(+t.toFixed(10));
  return out;
}

function frame(input: { id: string; title: string; width: number; height: number; points: number }, body: string): string {
  return `<figure class="chart"><svg id="${esc(input.id)}" data-points="${input.points}" role="img" aria-label="${esc(input.title)}" viewBox="0 0 ${input.width} ${input.height}" width="${input.width}" height="${input.height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="${PAD.left}" y="16" class="ct">${esc(input.title)}</text>${body}</svg></figure>`;
}

function noData(id: string, title: string, why: string): string {
  return `<figure class="chart nodata" id="${esc(id)}"><figcaption>${esc(title)}: ${esc(why)}</figcaption></figure>`;
}

export function lineChart(c: LineChartInput): string {
  const width = c.width ?? 720;
  const height = c.height ?? 220;
  const points = c.series.reduce((n, s) => n + s.values.filter((v) => v !== null && Number.isFinite(v)).length, 0);
  if (points === 0 || c.xs.length === 0) return noData(c.id, c.title, 'no data in this run');
  const ys = c.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const xMin = Math.min(0, ...c.xs);
  const xMax = Math.max(...c.xs, ...(c.bands ?? []).map((b) => b.to));
  const yMax = Math.max(...ys) * 1.08 || 1;
  const yMin = Math.min(0, ...ys);
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + ((v - xMin) / (xMax - xMin || 1)) * w;
  const y = (v: number) => PAD.top + h - ((v - yMin) / (yMax - yMin || 1)) * h;
  const parts: string[] = [];
  for (const b of c.bands ?? []) {
    const x0 = x(Math.max(xMin, b.from));
    const x1 = x(Math.min(xMax, b.to));
    parts.push(`<rect class="band" x="${x0.toFixed(1)}" y="${PAD.top}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${h}"><title>${esc(b.label)}</title></rect>` +
      `<text x="${(x0 + 2).toFixed(1)}" y="${PAD.top + 10}" class="bl">${esc(b.label)}</text>`);
  }
  for (const t of ticks(yMin, yMax)) {
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/>` +
      `<text x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" class="yl">${fmt(t)}</text>`);
  }
  for (const t of ticks(xMin, xMax, 6)) parts.push(`<text x="${x(t).toFixed(1)}" y="${height - PAD.bottom + 16}" class="xl">${fmt(t)}</text>`);
  parts.push(`<text x="${width - PAD.right}" y="${height - 4}" class="xr">seconds from the start</text>`);
  parts.push(`<text x="12" y="${PAD.top + h / 2}" class="yl" transform="rotate(-90 12 ${PAD.top + h / 2})" style="text-anchor:middle">${esc(c.unit)}</text>`);
  parts.push(`<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + h}"/><line class="axis" x1="${PAD.left}" x2="${width - PAD.right}" y1="${PAD.top + h}" y2="${PAD.top + h}"/>`);
  let legendX = PAD.left + Math.min(260, c.title.length * 7.5 + 16);
  c.series.forEach((s) => {
    const segments: string[] = [];
    let current: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v) || c.xs[i] === undefined) {
        if (current.length) segments.push(current.join(' '));
        current = [];
        return;
      }
      current.push(`${x(c.xs[i]!).toFixed(1)},${y(v).toFixed(1)}`);
    });
    if (current.length) segments.push(current.join(' '));
    for (const seg of segments) {
      const single = !seg.includes(' ');
      parts.push(single
        ? `<circle cx="${seg.split(',')[0]}" cy="${seg.split(',')[1]}" r="2" fill="${s.color}"/>`
        : `<polyline fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${seg}"/>`);
    }
    parts.push(`<rect x="${legendX}" y="8" width="10" height="10" fill="${s.color}"/><text x="${legendX + 14}" y="17" class="lg">${esc(s.name)}</text>`);
    legendX += 24 + s.name.length * 6.2;
  });
  return frame({ id: c.id, title: c.title, width, height, points }, parts.join(''));
}

export interface BarChartInput {
  id: string;
  title: string;
  unit: string;
  bars: Array<{ label: string; value: number | null; secondary?: number | null; limit?: number | null }>;
  legend: [string, string?];
  width?: number;
}

/** Horizontal bars (p95 per endpoint group, with p99 as a thinner bar and the SLA as a tick). */
export function barChart(c: BarChartInput): string {
  const rows = c.bars.filter((b) => b.value !== null && Number.isFinite(b.value));
  if (rows.length === 0) return noData(c.id, c.title, 'no data in this run');
  const width = c.width ?? 720;
  const rowH = 24;
  const left = 150;
  const height = PAD.top + rows.length * rowH + 30;
  const max = Math.max(...rows.flatMap((b) => [b.value!, b.secondary ?? 0, b.limit ?? 0])) * 1.1 || 1;
  const x = (v: number) => left + (v / max) * (width - left - PAD.right);
  const parts: string[] = [];
  for (const t of ticks(0, max)) {
    parts.push(`<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${PAD.top}" y2="${height - 26}"/><text x="${x(t).toFixed(1)}" y="${height - 12}" class="xl">${fmt(t)}</text>`);
  }
  rows.forEach((b, i) => {
    const top = PAD.top + i * rowH;
    parts.push(`<text x="${left - 6}" y="${top + 15}" class="yl">${esc(b.label)}</text>`);
    if (b.secondary !== null && b.secondary !== undefined) parts.push(`<rect x="${left}" y="${top + 3}" width="${(x(b.secondary) - left).toFixed(1)}" height="16" fill="${PALETTE[0]}" opacity="0.25"/>`);
    parts.push(`<rect x="${left}" y="${top + 6}" width="${Math.max(1, x(b.value!) - left).toFixed(1)}" height="10" fill="${PALETTE[0]}"><title>${esc(`${b.label}: ${fmt(b.value!)} ${c.unit}`)}</title></rect>` +
      `<text x="${(x(b.value!) + 4).toFixed(1)}" y="${top + 15}" class="lg">${fmt(b.value!)}</text>`);
    if (b.limit) parts.push(`<line x1="${x(b.limit).toFixed(1)}" x2="${x(b.limit).toFixed(1)}" y1="${top + 1}" y2="${top + 21}" stroke="${PALETTE[1]}" stroke-width="2"><title>target ${fmt(b.limit)} ${esc(c.unit)}</title></line>`);
  });
  parts.push(`<text x="${width - PAD.right}" y="17" class="lg lr">${esc(c.legend[0])}${c.legend[1] ? ` · ${esc(c.legend[1])}` : ''} · red tick: SLA (${esc(c.unit)})</text>`);
  return frame({ id: c.id, title: c.title, width, height, points: rows.length }, parts.join(''));
}

export interface ScatterInput {
  id: string;
  title: string;
  xUnit: string;
  yUnit: string;
  points: Array<{ x: number; y: number }>;
  markers: Marker[];
  /** a horizontal line: the SLA. */
  limit?: { y: number; label: string };
  width?: number;
  height?: number;
}

/** The capacity curve: p95 against throughput per window, the sustainable point and the first breach marked. */
export function scatterChart(c: ScatterInput): string {
  if (c.points.length === 0) return noData(c.id, c.title, 'no windows with traffic');
  const width = c.width ?? 720;
  const height = c.height ?? 260;
  const xs = c.points.map((p) => p.x);
  const ys = [...c.points.map((p) => p.y), ...(c.limit ? [c.limit.y] : [])];
  const xMax = Math.max(...xs) * 1.05 || 1;
  const yMax = Math.max(...ys) * 1.08 || 1;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + (v / xMax) * w;
  const y = (v: number) => PAD.top + h - (v / yMax) * h;
  const parts: string[] = [];
  for (const t of ticks(0, yMax)) parts.push(`<line class="grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/><text x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" class="yl">${fmt(t)}</text>`);
  for (const t of ticks(0, xMax, 6)) parts.push(`<text x="${x(t).toFixed(1)}" y="${height - PAD.bottom + 16}" class="xl">${fmt(t)}</text>`);
  parts.push(`<text x="${width - PAD.right}" y="${height - 4}" class="xr">${esc(c.xUnit)}</text>`);
  parts.push(`<text x="12" y="${PAD.top + h / 2}" class="yl" transform="rotate(-90 12 ${PAD.top + h / 2})" style="text-anchor:middle">${esc(c.yUnit)}</text>`);
  parts.push(`<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + h}"/><line class="axis" x1="${PAD.left}" x2="${width - PAD.right}" y1="${PAD.top + h}" y2="${PAD.top + h}"/>`);
  if (c.limit) parts.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${y(c.limit.y).toFixed(1)}" y2="${y(c.limit.y).toFixed(1)}" stroke="${PALETTE[1]}" stroke-dasharray="4 3"/><text x="${width - PAD.right - 4}" y="${(y(c.limit.y) - 4).toFixed(1)}" class="lg lr">${esc(c.limit.label)}</text>`);
  for (const p of c.points) parts.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(Math.min(p.y, yMax)).toFixed(1)}" r="3" fill="${PALETTE[0]}" opacity="0.7"/>`);
  for (const m of c.markers) {
    parts.push(`<circle cx="${x(m.x).toFixed(1)}" cy="${y(Math.min(m.y, yMax)).toFixed(1)}" r="7" fill="none" stroke="${m.color}" stroke-width="2.5"/>` +
      `<text x="${(x(m.x) + 10).toFixed(1)}" y="${(y(Math.min(m.y, yMax)) - 8).toFixed(1)}" class="lg" fill="${m.color}">${esc(m.label)}</text>`);
  }
  return frame({ id: c.id, title: c.title, width, height, points: c.points.length }, parts.join(''));
}

export const CHART_CSS = `.chart{margin:.5rem 0 1rem}.chart svg{max-width:100%;height:auto;background:#fff;border:1px solid #ddd}
.ct{font:600 13px system-ui,sans-serif;fill:#222}.lg{font:11px system-ui,sans-serif;fill:#333}.lr{text-anchor:end}.xl{font:10px system-ui,sans-serif;fill:#555;text-anchor:middle}.xr{font:10px system-ui,sans-serif;fill:#555;text-anchor:end}
.yl{font:10px system-ui,sans-serif;fill:#555;text-anchor:end}.grid{stroke:#eee}.axis{stroke:#999}.band{fill:#d1242f;opacity:.12}.bl{font:10px system-ui,sans-serif;fill:#a0111f}
.nodata figcaption{color:#666;font-style:italic}`;
