// The web front end of the guidelines' journeys, as the service serves it under /app: three pages
// (login, dashboard, career selection) and their assets — the app's JavaScript and the careers
// catalogue it searches, a stylesheet, a web font in two weights, illustrations — each at a
// content-hashed URL, cached for a year and immutable (guidelines §5.1 browserCache.static).
// Built once per process, in memory, from code: the same bytes at every start.
//
// Two switches make a worse front end on purpose (target/src/config.ts):
// - inflate (TARGET_WEB_INFLATE=true): a 320 KiB vendor bundle the app never calls, and every
//   illustration 1.6 times larger each way: the page breaks its JavaScript, image and total budgets;
// - renderDelayMs (TARGET_WEB_RENDER_DELAY_MS): the app renders each page's content that much later
//   (a slow client-side render): LCP, time to interactive and time to career selection grow by it;
//   the header paints at once, so FCP does not.

import { createHash } from 'node:crypto';
import { CAREER_CLUSTERS } from '../catalogue.ts';
import { pixelFont } from './font.ts';
import { illustration } from './png.ts';
import { APP_SCRIPT, careersScript, vendorScript } from './script.ts';
import { fontFaces, stylesheet } from './styles.ts';

export const APP_PREFIX = '/app';
export const STATIC_PREFIX = `${APP_PREFIX}/static/`;
export const WEB_PAGES = ['login', 'dashboard', 'careers'] as const;
export type WebPage = (typeof WEB_PAGES)[number];

export interface WebOptions {
  inflate: boolean;
  renderDelayMs: number;
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export interface WebAssets {
  /** the pages' HTML by name. */
  pages: Record<WebPage, string>;
  /** file name under STATIC_PREFIX -> the file. */
  files: Map<string, StaticFile>;
}

const INFLATED_VENDOR_BYTES = 320 * 1024;
const INFLATE_SCALE = 1.6;

const hash8 = (body: Buffer | string) => createHash('sha256').update(body).digest('hex').slice(0, 8);
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const CLUSTER_COLOURS: Array<[[number, number, number], [number, number, number]]> = [
  [[214, 69, 80], [255, 186, 140]], [[40, 90, 170], [120, 200, 230]], [[150, 60, 170], [250, 170, 200]], [[20, 60, 110], [90, 170, 210]],
  [[60, 60, 80], [200, 120, 90]], [[60, 130, 50], [200, 220, 120]], [[30, 120, 110], [210, 200, 120]], [[200, 120, 30], [250, 220, 150]],
];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function buildWebAssets(options: WebOptions): WebAssets {
  const files = new Map<string, StaticFile>();
  const add = (stem: string, ext: string, body: Buffer | string, contentType: string): string => {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    const name = `${stem}.${hash8(buf)}.${ext}`;
    files.set(name, { body: buf, contentType });
    return `${STATIC_PREFIX}${name}`;
  };
  const scale = (n: number) => Math.round(n * (options.inflate ? INFLATE_SCALE : 1));
  const picture = (stem: string, width: number, height: number, seed: number, colours: (typeof CLUSTER_COLOURS)[number]) =>
    add(stem, 'png', illustration({ width: scale(width), height: scale(height), from: colours[0], to: colours[1], seed, grain: 1 }), 'image/png');

  const regular = add('pathway-pixel-regular', 'ttf', pixelFont('Pathway Pixel', false), 'font/ttf');
  const bold = add('pathway-pixel-bold', 'ttf', pixelFont('Pathway Pixel', true), 'font/ttf');
  const css = add('app', 'css', stylesheet(fontFaces(regular, bold)), 'text/css; charset=utf-8');
  const app = add('app', 'js', APP_SCRIPT, 'text/javascript; charset=utf-8');
  const careers = add('careers', 'js', careersScript(), 'text/javascript; charset=utf-8');
  const vendor = options.inflate ? add('vendor', 'js', vendorScript(INFLATED_VENDOR_BYTES), 'text/javascript; charset=utf-8') : undefined;
  const icon = add('icon', 'png', illustration({ width: 48, height: 48, from: [47, 111, 219], to: [29, 36, 51], seed: 1, grain: 0 }), 'image/png');
  const heroes = {
    login: picture('hero-login', 800, 300, 11, CLUSTER_COLOURS[1]!),
    dashboard: picture('hero-dashboard', 800, 300, 12, CLUSTER_COLOURS[3]!),
  };
  const clusterImages: Record<string, string> = {};
  Object.keys(CAREER_CLUSTERS).forEach((cluster, i) => {
    clusterImages[cluster] = picture(`career-${slug(cluster)}`, 300, 200, 100 + i, CLUSTER_COLOURS[i % CLUSTER_COLOURS.length]!);
  });

  const page = (name: WebPage, title: string, content: string, extraHead = ''): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Pathfinity</title>
<link rel="icon" href="${icon}">
<link rel="preload" href="${bold}" as="font" type="font/ttf" crossorigin>
<link rel="preload" href="${regular}" as="font" type="font/ttf" crossorigin>
<link rel="stylesheet" href="${css}">
${extraHead}${vendor ? `<script defer src="${vendor}"></script>\n` : ''}<script defer src="${careers}"></script>
<script defer src="${app}"></script>
</head>
<body data-page="${name}"${options.renderDelayMs > 0 ? ` data-render-delay="${options.renderDelayMs}"` : ''} data-cluster-images="${escapeHtml(JSON.stringify(clusterImages))}">
<a class="skip" href="#main">Skip to content</a>
<header class="site-header"><span class="brand">PATHFINITY</span><nav class="site-nav"><a href="${APP_PREFIX}/dashboard">Dashboard</a><a href="${APP_PREFIX}/careers">Careers</a></nav></header>
<main id="main" class="app-main" data-render="pending">
${content}
</main>
</body>
</html>
`;

  const pages: Record<WebPage, string> = {
    login: page('login', 'Sign in', `<section class="hero"><img src="${heroes.login}" width="${scale(800)}" height="${scale(300)}" alt="Students exploring careers" fetchpriority="high"><h1>Welcome back</h1></section>
<section class="panel">
<form id="login-form" class="login-form">
<label>Student id <input id="student-id" name="studentId" autocomplete="username" required></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="sign-in" class="button" type="submit">Sign in</button>
</form>
</section>`),
    dashboard: page('dashboard', 'Dashboard', `<section class="hero"><img src="${heroes.dashboard}" width="${scale(800)}" height="${scale(300)}" alt="Your learning path" fetchpriority="high"><h1 id="greeting">Good morning</h1></section>
<section class="panel"><h2>Your flow today</h2><div class="flow"><div class="flow-bar"><span id="flow-fill"></span></div><strong id="flow-label">…</strong></div></section>
<section class="panel"><h2>For you today</h2><div id="for-you" class="cards"></div></section>
<p><a id="choose-career" class="button" href="${APP_PREFIX}/careers">Choose today's career</a></p>`),
    careers: page('careers', "Choose today's career", `<h1>Choose today's career</h1>
<section class="panel"><div id="pool" class="cards"></div></section>
<section id="confirmation" class="panel confirmation" hidden aria-live="polite"></section>
<section class="panel"><h2>Explore every career</h2><input id="search" class="search" type="search" placeholder="Search careers, e.g. nurse" aria-label="Search careers"><ul id="results" class="results"></ul></section>`),
  };
  return { pages, files };
}
