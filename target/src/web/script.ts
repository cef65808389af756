// The front end's JavaScript, as the browser gets it: the app (the three pages' behaviour, calling
// the service's own API), and the careers catalogue it searches on the client. Plain ES5-style
// browser code in strings (the service is bundled and served from memory; no build step runs in
// front of it).
//
// What the app exposes for the browser scenario, in `window.__perflab` (read with page.evaluate):
//   ready                true once the page has rendered its content (or failed: `error`)
//   interactiveAt        performance.now() when the page's handlers were attached and its content rendered
//   longTasks            [start, end] of every long task (PerformanceObserver 'longtask')
//   personalizationMs    dashboard: from asking for the student's personalized careers to them on screen
//   uiInteractionMs      careers: from the click on a career (the event's timestamp) to the page showing
//                        the confirmed selection (the frame after the DOM update)
//   selectedAtEpochMs    careers: when the selection was on screen, epoch ms (time to career selection)

import { CAREER_CLUSTERS, GRADE_LEVELS, allCareers } from '../catalogue.ts';

const GRADE_NAMES = ['Kindergarten', ...Array.from({ length: GRADE_LEVELS - 1 }, (_, i) => `Grade ${i + 1}`)];
const VERBS = ['explores', 'builds', 'solves', 'designs', 'protects', 'helps', 'discovers', 'leads'];

/** The catalogue the careers page searches: every career at every grade, with a line about it. */
export function careersScript(): string {
  const clusters = Object.keys(CAREER_CLUSTERS);
  const careers = allCareers().map((c, i) => ({
    id: c.id,
    name: c.name,
    cluster: c.cluster,
    grade: c.gradeLevel,
    about: `${GRADE_NAMES[c.gradeLevel]}: a ${c.name.toLowerCase()} ${VERBS[i % VERBS.length]} in ${c.cluster}, ` +
      `with activities sized for ${GRADE_NAMES[c.gradeLevel]!.toLowerCase()} and a path to ${clusters[(i + 3) % clusters.length]}.`,
  }));
  return `/* Pathfinity careers catalogue: ${careers.length} careers */\nwindow.PATHFINITY_CAREERS=${JSON.stringify(careers)};\n`;
}

/**
 * A stand-in for a heavy vendor bundle pulled into the page by mistake (TARGET_WEB_INFLATE): this
 * many bytes of real, parsed JavaScript that the app never calls.
 */
export function vendorScript(bytes: number): string {
  const parts: string[] = ['/* vendor bundle (unminified) */', 'window.__vendor=(function(){var m={};'];
  let size = parts.join('\n').length;
  for (let i = 0; size < bytes; i++) {
    const line = `m["module_${i}"]=function(a,b){var r=[];for(var k=0;k<a.length;k++){r.push(String(a[k])+":${(i * 2654435761) % 1000003}:"+b);}return r.join(",");};`;
    parts.push(line);
    size += line.length + 1;
  }
  parts.push('return m;})();');
  return `${parts.join('\n')}\n`;
}

export const APP_SCRIPT = `/* Pathfinity web app */
(function () {
  'use strict';
  var body = document.body;
  var perf = window.__perflab = { page: body.getAttribute('data-page'), ready: false, error: null, interactiveAt: null,
    longTasks: [], personalizationMs: null, uiInteractionMs: null, selectedAtEpochMs: null };
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (e) { perf.longTasks.push([e.startTime, e.startTime + e.duration]); });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { /* no long task API */ }
  var renderDelay = Number(body.getAttribute('data-render-delay') || 0);
  var main = document.getElementById('main');

  function api(path, init) {
    return fetch('/api/v1' + path, init).then(function (res) {
      if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
      return res.json();
    });
  }
  function postJson(path, payload) {
    return api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  }
  function nextFrame() {
    return new Promise(function (resolve) { requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
  }
  function student() {
    return sessionStorage.getItem('studentId') || new URLSearchParams(location.search).get('student') || 'demo_student';
  }
  function enc(s) { return encodeURIComponent(s); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function render(fn) {
    // the page's content is rendered by the app (a slowed render: TARGET_WEB_RENDER_DELAY_MS later)
    var wait = renderDelay > 0 ? new Promise(function (r) { setTimeout(r, renderDelay); }) : Promise.resolve();
    return wait.then(function () { main.setAttribute('data-render', 'done'); return fn(); });
  }
  function interactive() {
    perf.interactiveAt = performance.now();
    performance.mark('app-interactive');
    perf.ready = true;
  }
  function fail(err) {
    perf.error = String((err && err.message) || err);
    perf.ready = true;
  }
  var catalogue = {};
  (window.PATHFINITY_CAREERS || []).forEach(function (c) { catalogue[c.id] = c; });
  var imageOf = {};
  try { imageOf = JSON.parse(body.getAttribute('data-cluster-images') || '{}'); } catch (e) { /* none */ }

  function careerCard(career, selectable) {
    var card = el(selectable ? 'button' : 'article', 'card' + (selectable ? ' career-card' : ''));
    if (selectable) { card.type = 'button'; card.setAttribute('data-career', career.id); }
    var img = el('img');
    img.width = 300; img.height = 200; img.alt = career.cluster;
    img.src = imageOf[career.cluster] || '';
    var info = el('div', 'card-body');
    info.appendChild(el('h3', '', career.name));
    info.appendChild(el('span', 'cluster', career.cluster));
    var known = catalogue[career.id];
    info.appendChild(el('span', 'about', known ? known.about : ''));
    card.appendChild(img);
    card.appendChild(info);
    return { card: card, loaded: img.decode ? img.decode().catch(function () {}) : Promise.resolve() };
  }
  function renderCards(container, careers, selectable) {
    container.textContent = '';
    var made = careers.map(function (c) { return careerCard(c, selectable); });
    made.forEach(function (m) { container.appendChild(m.card); });
    return made;
  }
  function imagesOf(made) {
    return Promise.all(made.map(function (m) { return m.loaded; }));
  }

  var pages = {
    login: function () {
      return render(function () {
        var form = document.getElementById('login-form');
        form.addEventListener('submit', function (event) {
          event.preventDefault();
          var id = document.getElementById('student-id').value.trim() || 'demo_student';
          var button = document.getElementById('sign-in');
          button.disabled = true;
          button.textContent = 'Signing in...';
          postJson('/auth/login', { studentId: id }).then(function (res) {
            sessionStorage.setItem('studentId', res.studentId);
            sessionStorage.setItem('token', res.token);
            location.assign('/app/dashboard');
          }).catch(function (err) { button.disabled = false; button.textContent = 'Sign in'; fail(err); });
        });
        interactive();
      });
    },
    dashboard: function () {
      return render(function () {
        var id = student();
        document.getElementById('greeting').textContent = 'Good morning, ' + id;
        var asked = performance.now();
        var pool = api('/students/' + enc(id) + '/careers/pool').then(function (res) {
          var made = renderCards(document.getElementById('for-you'), res.careers, false);
          // personalized: the student's careers on screen (the frame after they are in the page);
          // the page is ready once their pictures are decoded too
          return nextFrame().then(function () { perf.personalizationMs = performance.now() - asked; return imagesOf(made); });
        });
        var flow = api('/students/' + enc(id) + '/flow-state').then(function (res) {
          document.getElementById('flow-label').textContent = res.state + ' ' + res.percentage + '%';
          document.getElementById('flow-fill').style.width = res.percentage + '%';
        });
        return Promise.all([pool, flow]).then(interactive);
      });
    },
    careers: function () {
      return render(function () {
        var id = student();
        var search = document.getElementById('search');
        var results = document.getElementById('results');
        search.addEventListener('input', function () {
          var q = search.value.toLowerCase();
          results.textContent = '';
          if (q.length < 2) return;
          (window.PATHFINITY_CAREERS || []).filter(function (c) {
            return c.name.toLowerCase().indexOf(q) >= 0 || c.cluster.toLowerCase().indexOf(q) >= 0;
          }).slice(0, 20).forEach(function (c) { results.appendChild(el('li', '', c.name + ' (' + c.cluster + ', grade ' + c.grade + ')')); });
        });
        return api('/students/' + enc(id) + '/careers/pool').then(function (res) {
          var made = renderCards(document.getElementById('pool'), res.careers, true);
          made.forEach(function (m, i) {
            m.card.addEventListener('click', function (event) { choose(event, m.card, res.careers[i], id); });
          });
          return imagesOf(made);
        }).then(nextFrame).then(interactive);
      });
    },
  };

  function choose(event, card, career, id) {
    var clickedAt = event.timeStamp;
    document.querySelectorAll('.career-card').forEach(function (c) { c.disabled = true; });
    card.classList.add('is-selected');
    postJson('/students/' + enc(id) + '/careers/select', { careerId: career.id }).then(function (selection) {
      var box = document.getElementById('confirmation');
      box.textContent = '';
      box.appendChild(el('h2', '', 'Today you are a ' + career.name));
      box.appendChild(el('p', '', 'Your learning session ' + selection.sessionId + ' is ready.'));
      box.hidden = false;
      return nextFrame();
    }).then(function () {
      perf.uiInteractionMs = performance.now() - clickedAt;
      perf.selectedAtEpochMs = performance.timeOrigin + performance.now();
    }).catch(fail);
  }

  var run = pages[perf.page];
  if (run) run().catch(fail); else fail('unknown page ' + perf.page);
})();
`;
