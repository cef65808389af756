// The front end's stylesheet: the pages' own rules, then a utility layer generated from a small
// design scale (spacing, colours, type, layout), as utility-first CSS frameworks ship it. The
// utilities are what makes the file the size of a real app's CSS; the pages use some of them.

const FONT_FAMILY = 'Pathway Pixel';

/** The @font-face rules: the pixel family's two weights, by their hashed URLs. */
export function fontFaces(regularUrl: string, boldUrl: string): string {
  return [
    `@font-face{font-family:"${FONT_FAMILY}";src:url("${regularUrl}") format("truetype");font-weight:400;font-display:swap}`,
    `@font-face{font-family:"${FONT_FAMILY}";src:url("${boldUrl}") format("truetype");font-weight:700;font-display:swap}`,
  ].join('\n');
}

const BASE = `
:root{--ink:#1d2433;--muted:#5b6478;--brand:#2f6fdb;--brand-ink:#fff;--ok:#1f9d63;--card:#fff;--page:#f3f5fa;--line:#dfe4ee;--radius:10px}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:var(--ink);background:var(--page)}
img{display:block;max-width:100%;height:auto}
a{color:var(--brand)}
.site-header{display:flex;align-items:center;justify-content:space-between;height:56px;padding:0 24px;background:var(--ink);color:#fff}
.brand{font-family:"${FONT_FAMILY}",monospace;font-weight:700;letter-spacing:2px;font-size:20px}
.site-nav a{color:#fff;margin-left:16px;text-decoration:none;font-family:"${FONT_FAMILY}",monospace}
.app-main{max-width:960px;margin:0 auto;padding:24px}
.app-main[data-render=pending]{visibility:hidden}
h1,h2,h3{font-family:"${FONT_FAMILY}",monospace;font-weight:700;line-height:1.2;margin:0 0 12px}
h1{font-size:32px}h2{font-size:22px}h3{font-size:17px}
.hero{position:relative;border-radius:var(--radius);overflow:hidden;margin-bottom:24px;background:#cfd8ea;aspect-ratio:8/3}
.hero img{width:100%;height:100%;object-fit:cover}
.hero h1{position:absolute;left:24px;bottom:16px;color:#fff;text-shadow:0 2px 6px rgba(0,0,0,.45)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:20px;margin-bottom:24px}
.login-form{display:grid;gap:14px;max-width:420px}
.login-form label{display:grid;gap:6px;font-weight:600}
.login-form input{font:inherit;padding:10px 12px;border:1px solid var(--line);border-radius:8px}
.button{font:inherit;font-weight:700;padding:10px 18px;border:0;border-radius:8px;background:var(--brand);color:var(--brand-ink);cursor:pointer}
.button[disabled]{opacity:.6;cursor:progress}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:16px;min-height:260px}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);overflow:hidden;display:flex;flex-direction:column}
.card img{aspect-ratio:3/2;width:100%;object-fit:cover;background:#dde3ef}
.card-body{padding:12px 14px;display:grid;gap:6px}
.card .cluster{font-size:13px;color:var(--muted)}
.card .about{font-size:14px;color:var(--muted);min-height:42px}
.career-card{cursor:pointer;border-width:2px;transition:border-color .1s}
.career-card:hover{border-color:var(--brand)}
.career-card.is-selected{border-color:var(--ok);box-shadow:0 0 0 3px rgba(31,157,99,.25)}
.flow{display:flex;align-items:center;gap:16px;min-height:48px}
.flow-bar{flex:1;height:12px;border-radius:6px;background:var(--line);overflow:hidden}
.flow-bar span{display:block;height:100%;background:var(--ok);width:0}
.confirmation{min-height:140px}
.confirmation[hidden]{display:block;visibility:hidden}
.search{font:inherit;width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:8px;margin-bottom:12px}
.results{list-style:none;margin:0;padding:0;display:grid;gap:4px;max-height:180px;overflow:auto;font-size:14px}
.skip{position:absolute;left:-999px}
`;

const SPACE = [0, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 128];
const SIDES: Record<string, string[]> = { '': [''], x: ['-left', '-right'], y: ['-top', '-bottom'], t: ['-top'], r: ['-right'], b: ['-bottom'], l: ['-left'] };
const PALETTE: Record<string, string> = {
  slate: '#64748b', gray: '#6b7280', red: '#dc2626', orange: '#ea580c', amber: '#d97706', yellow: '#ca8a04', lime: '#65a30d',
  green: '#16a34a', emerald: '#059669', teal: '#0d9488', cyan: '#0891b2', sky: '#0284c7', blue: '#2563eb', indigo: '#4f46e5',
  violet: '#7c3aed', purple: '#9333ea', fuchsia: '#c026d3', pink: '#db2777', rose: '#e11d48',
};
const SHADES = [50, 100, 200, 300, 400, 500, 600, 700, 800, 900];

function shade(hex: string, level: number): string {
  // 500 is the colour itself; lighter towards white, darker towards black
  const n = parseInt(hex.slice(1), 16);
  const rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const t = (level - 500) / 500;
  const mixed = rgb.map((c) => Math.round(t < 0 ? c + (255 - c) * -t * 0.95 : c * (1 - t * 0.8)));
  return `#${mixed.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The utility layer: spacing, colours, type, flex and grid helpers, each at every breakpoint. */
function utilities(): string {
  const rules: string[] = [];
  for (const [prop, short] of [['margin', 'm'], ['padding', 'p']] as const) {
    for (const [side, suffixes] of Object.entries(SIDES)) {
      for (const [i, px] of SPACE.entries()) {
        rules.push(`.${short}${side}-${i}{${suffixes.map((s) => `${prop}${s}:${px}px`).join(';')}}`);
      }
    }
  }
  for (const [name, hex] of Object.entries(PALETTE)) {
    for (const level of SHADES) {
      const c = shade(hex, level);
      rules.push(`.text-${name}-${level}{color:${c}}`, `.bg-${name}-${level}{background-color:${c}}`, `.border-${name}-${level}{border-color:${c}}`);
    }
  }
  for (const [i, size] of [12, 13, 14, 15, 16, 18, 20, 24, 30, 36, 48].entries()) rules.push(`.text-${i}{font-size:${size}px;line-height:${Math.round(size * 1.4)}px}`);
  for (const w of [100, 200, 300, 400, 500, 600, 700, 800, 900]) rules.push(`.font-${w}{font-weight:${w}}`);
  for (const d of ['block', 'inline', 'inline-block', 'flex', 'inline-flex', 'grid', 'none', 'contents']) rules.push(`.${d}{display:${d}}`);
  for (const [k, v] of Object.entries({ start: 'flex-start', end: 'flex-end', center: 'center', between: 'space-between', around: 'space-around', evenly: 'space-evenly' })) {
    rules.push(`.justify-${k}{justify-content:${v}}`, `.items-${k}{align-items:${v}}`, `.content-${k}{align-content:${v}}`);
  }
  for (let n = 1; n <= 12; n++) rules.push(`.grid-cols-${n}{grid-template-columns:repeat(${n},minmax(0,1fr))}`, `.col-span-${n}{grid-column:span ${n}/span ${n}}`);
  for (const [i, px] of SPACE.entries()) rules.push(`.gap-${i}{gap:${px}px}`, `.w-${i}{width:${px * 4}px}`, `.h-${i}{height:${px * 4}px}`);
  const base = rules.join('\n');
  // the layout utilities again behind breakpoints (sm:, md:), as responsive frameworks generate them
  const layout = rules.filter((r) => /^\.(grid-cols|col-span|gap|block|flex|grid|none|justify|items)/.test(r));
  const responsive = [640, 1024].map((bp, i) => {
    const prefix = ['sm', 'md'][i]!;
    return `@media (min-width:${bp}px){\n${layout.map((r) => r.replace(/^\.([^{]+)\{/, `.${prefix}\\:$1{`)).join('\n')}\n}`;
  });
  return [base, ...responsive].join('\n');
}

/** The whole stylesheet. */
export function stylesheet(fontFaceRules: string): string {
  return `${fontFaceRules}\n${BASE.trim()}\n${utilities()}\n`;
}
