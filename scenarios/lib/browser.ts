// The guidelines' student journey in a real browser (k6/browser driving Chromium): sign in, the
// dashboard with its personalized careers, the career selection — the front end the target serves
// under /app. k6/browser reports the Web Vitals of every page itself (browser_web_vital_lcp, fcp,
// cls, inp, ttfb); this journey measures, in the page, what the guidelines add:
//
//   page_load_duration        navigation start -> load event end, per page (tag `page`)
//   time_to_interactive       navigation start -> the later of DOMContentLoaded, the app's own
//                             "interactive" mark (handlers attached, content rendered) and the end of
//                             the last long task before it
//   personalization_delay     dashboard: from asking for the student's personalized careers to them on screen
//   ui_interaction_duration   careers: from the click on a career to the confirmed selection on screen
//   time_to_career_selection  from opening the sign-in page to the confirmed selection on screen (TTC)
//   page_bytes_<type>         bytes of each page by type (javascript, css, images, fonts) and in total,
//                             from Resource Timing's encodedBodySize (what the page needs, whether this
//                             load came from the network or the cache), the document included in total
//
// The page exposes what it knows in window.__perflab (target/src/web/script.ts). Page functions are
// strings: the scenarios type-check without the DOM library.

import { browser, type Page } from 'k6/browser';
import { check } from 'k6';
import type { FrontendPage } from '../../lab/sla/catalogue.ts';
import { url } from './http.ts';
import { errors, pageBytes, pageLoad, personalizationDelay, timeToCareerSelection, timeToInteractive, uiInteraction } from './metrics.ts';

/** A k6 scenario's `options` that give its VUs a browser (k6/browser: Chromium only). */
export const BROWSER_OPTIONS = { browser: { type: 'chromium' } } as const;

interface PageFacts {
  perf: {
    ready: boolean;
    error: string | null;
    interactiveAt: number | null;
    longTasks: Array<[number, number]>;
    personalizationMs: number | null;
    uiInteractionMs: number | null;
    selectedAtEpochMs: number | null;
  };
  nav: { loadEventEnd: number; domContentLoadedEventEnd: number; bytes: number };
  resources: Array<{ name: string; contentType: string; bytes: number }>;
}

// k6/browser v2.2 reads page functions given as text two ways: page.evaluate wants a function
// expression (it calls it), page.waitForFunction an expression it polls until truthy — given a
// function expression it resolves at once (a function is truthy), so the waits are expressions.
const ready = (page: FrontendPage) => `window.__perflab !== undefined && window.__perflab.page === ${JSON.stringify(page)} && ` +
  'window.__perflab.ready === true && performance.getEntriesByType("navigation").length > 0 && ' +
  'performance.getEntriesByType("navigation")[0].loadEventEnd > 0';
const SELECTED = 'window.__perflab !== undefined && (window.__perflab.selectedAtEpochMs !== null || window.__perflab.error !== null)';
const FACTS = `function () {
  var n = performance.getEntriesByType('navigation')[0];
  return JSON.stringify({
    perf: window.__perflab,
    nav: { loadEventEnd: n.loadEventEnd, domContentLoadedEventEnd: n.domContentLoadedEventEnd, bytes: n.encodedBodySize },
    resources: performance.getEntriesByType('resource').map(function (r) {
      return { name: r.name, contentType: r.contentType || '', bytes: r.encodedBodySize };
    })
  });
}`;
/**
 * Lets the page's web-vitals library process what is pending: in headless Chromium an idle
 * callback does not run after an input until a frame is drawn, and the library reads interactions
 * (INP) in idle callbacks, so without a frame the interaction would never be reported.
 */
const SETTLE = '() => new Promise(function (resolve) { requestAnimationFrame(function () { requestIdleCallback(function () { resolve(true); }); }); })';

export type ResourceType = 'javascript' | 'css' | 'images' | 'fonts' | 'other';

/** A resource's type from its Content-Type (Resource Timing's contentType), else its file name. */
export function resourceType(name: string, contentType: string): ResourceType {
  const type = contentType.toLowerCase();
  const path = name.split(/[?#]/)[0]!.toLowerCase();
  if (type.includes('javascript') || /\.m?js$/.test(path)) return 'javascript';
  if (type.includes('css') || path.endsWith('.css')) return 'css';
  if (type.startsWith('image/') || /\.(png|jpe?g|gif|webp|avif|svg|ico)$/.test(path)) return 'images';
  if (type.startsWith('font/') || /\.(woff2?|ttf|otf)$/.test(path)) return 'fonts';
  return 'other';
}

/** A page's bytes by type, and in total with the document itself. */
export function pageWeight(facts: Pick<PageFacts, 'nav' | 'resources'>): Record<ResourceType | 'total', number> {
  const weight = { javascript: 0, css: 0, images: 0, fonts: 0, other: 0, total: facts.nav.bytes };
  for (const r of facts.resources) {
    weight[resourceType(r.name, r.contentType)] += r.bytes;
    weight.total += r.bytes;
  }
  return weight;
}

/** The page's time to interactive (see the top of this file). */
export function timeToInteractiveMs(facts: Pick<PageFacts, 'perf' | 'nav'>): number | undefined {
  const at = facts.perf.interactiveAt;
  if (at === null) return undefined;
  const longTaskEnds = facts.perf.longTasks.filter(([start]) => start < at).map(([, end]) => end);
  return Math.max(at, facts.nav.domContentLoadedEventEnd, ...longTaskEnds);
}

function ok(value: boolean, name: string, page: FrontendPage): boolean {
  const tags = { page };
  check(value, { [name]: (v) => v }, tags);
  errors.add(!value, tags);
  return value;
}

/** Waits until the page has rendered, records what it measured; false when it did not render. */
async function measurePage(page: Page, name: FrontendPage): Promise<PageFacts | undefined> {
  try {
    await page.waitForFunction(ready(name), { polling: 'raf' });
  } catch (error) {
    ok(false, `${name} page rendered`, name);
    console.warn(`browser: the ${name} page did not render: ${String(error)}`);
    return undefined;
  }
  const facts = JSON.parse(await page.evaluate<string, undefined>(FACTS)) as PageFacts;
  if (!ok(facts.perf.error === null, `${name} page rendered`, name)) {
    console.warn(`browser: the ${name} page failed: ${facts.perf.error}`);
    return undefined;
  }
  const tags = { page: name };
  pageLoad.add(facts.nav.loadEventEnd, tags);
  const tti = timeToInteractiveMs(facts);
  if (tti !== undefined) timeToInteractive.add(tti, tags);
  const weight = pageWeight(facts);
  pageBytes.javascript.add(weight.javascript, tags);
  pageBytes.css.add(weight.css, tags);
  pageBytes.images.add(weight.images, tags);
  pageBytes.fonts.add(weight.fonts, tags);
  pageBytes.total.add(weight.total, tags);
  if (facts.perf.personalizationMs !== null) personalizationDelay.add(facts.perf.personalizationMs, tags);
  return facts;
}

async function navigate(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).click()]);
}

/**
 * One student's morning in the browser: sign in, the dashboard, choose today's career. Returns the
 * time to career selection (ms), undefined when a step failed (counted in `errors` and checks).
 */
export async function studentJourneyInBrowser(studentId: string): Promise<number | undefined> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const startedAt = Date.now();
  try {
    await page.goto(url('/app/login'), { waitUntil: 'load' });
    if (!(await measurePage(page, 'login'))) return undefined;
    await page.locator('#student-id').fill(studentId);
    await navigate(page, '#sign-in');
    if (!(await measurePage(page, 'dashboard'))) return undefined;
    await navigate(page, '#choose-career');
    if (!(await measurePage(page, 'careers'))) return undefined;
    await page.locator('.career-card').first().click();
    await page.waitForFunction(SELECTED, { polling: 'raf' });
    const facts = JSON.parse(await page.evaluate<string, undefined>(FACTS)) as PageFacts;
    if (!ok(facts.perf.error === null && facts.perf.selectedAtEpochMs !== null, 'career selected', 'careers')) {
      console.warn(`browser: the career selection failed: ${facts.perf.error}`);
      return undefined;
    }
    const ttc = facts.perf.selectedAtEpochMs! - startedAt;
    timeToCareerSelection.add(ttc, { page: 'careers' });
    if (facts.perf.uiInteractionMs !== null) uiInteraction.add(facts.perf.uiInteractionMs, { page: 'careers' });
    await page.evaluate<boolean, undefined>(SETTLE);
    return ttc;
  } finally {
    await page.close(); // k6/browser reports the last page's LCP, CLS and INP as it closes
    await context.close();
  }
}
