// The lines of the user's documents that set numbers the lab must account for, read from the
// documents themselves (../shared/seeds): the guidelines' §1.1, §1.2 and §8.1, and the validation
// request's targets and success criteria. Pure: text in, lines out. The coverage test
// (coverage.test.ts) holds every such line against lab/sla/coverage.ts, so a number the documents
// set that the lab neither judges nor explains is a failing test.

export type DocumentName = 'guidelines' | 'request';

/** One line of a document within the scope, with the object it sits in (for code blocks). */
export interface DocumentLine {
  document: DocumentName;
  /** the part of the document, e.g. "§8.1", "Success Criteria". */
  section: string;
  /** the innermost `name: {` / `name = [` the line sits in ('' outside code): tells `p95: 500` of careerSelection from dashboardLoad's. */
  context: string;
  /** the line, trimmed, spaces collapsed, trailing comma dropped. */
  text: string;
  /** the numbers written on it (a number not part of a name: `p95` holds none, `2.1s` holds 2.1). */
  numbers: string[];
}

export function normalizeLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ').replace(/,$/, '');
}

/** Numbers as written (`100,000`, `0.1`, `200`), not the digits inside a name (`p95`, `h2`). */
export function numbersIn(text: string): string[] {
  return [...text.matchAll(/(?<![A-Za-z0-9_.])\d+(?:[.,]\d+)*/g)].map((m) => m[0]);
}

interface Scope {
  section: string;
  /** the first line of the scope (a heading), and the first line after it */
  from: RegExp;
  to: RegExp;
  /** only the lines inside blocks opened by a line matching this (code objects, arrays), and lines matching `alsoLines` */
  blocks?: RegExp;
  alsoLines?: RegExp;
}

const SCOPES: Record<DocumentName, Scope[]> = {
  guidelines: [
    { section: '§1.1', from: /^### 1\.1 /, to: /^### 1\.2 / },
    { section: '§1.2', from: /^### 1\.2 /, to: /^---$/ },
    { section: '§8.1', from: /^### 8\.1 /, to: /^### 8\.2 / },
  ],
  request: [
    { section: 'Performance Baseline & Targets', from: /^## Performance Baseline & Targets/, to: /^## Comprehensive Load Testing Strategy/ },
    // the targets and metrics blocks of the test phases, their thresholds, the UI responsiveness list
    {
      section: 'Load Testing Strategy',
      from: /^## Comprehensive Load Testing Strategy/,
      to: /^## Performance Monitoring & Metrics/,
      blocks: /^\s*(thresholds|metrics|targets|performance_targets): \{|uiResponsivenessTests = \[/,
      alsoLines: /^\s*target: '/,
    },
    {
      section: 'Performance Optimization Validation',
      from: /^## Performance Optimization Validation/,
      to: /^## Success Criteria & Deliverables/,
      blocks: /^\s*(metrics|targets|performance_targets): \{/,
      alsoLines: /^\s*target: '/,
    },
    { section: 'Success Criteria', from: /^## Success Criteria & Deliverables/, to: /^### Performance Testing Deliverables/ },
  ],
};

/** The innermost open `name: {` / `name = [` / `name(...) {` at each line (code blocks only). */
function contextTracker() {
  const stack: string[] = [];
  return (line: string): string => {
    const context = stack.at(-1) ?? '';
    const opened = /(?:^|\s)(?:const |let |static const )?([A-Za-z_][A-Za-z0-9_]*)\s*(?::|=)\s*(?:\{|\[)\s*$/.exec(line);
    const opens = (line.match(/[{[]/g) ?? []).length;
    const closes = (line.match(/[}\]]/g) ?? []).length;
    if (opens > closes) stack.push(opened?.[1] ?? context);
    for (let i = 0; i < closes - opens; i++) stack.pop();
    return context;
  };
}

/** Every line of the document's scopes, with the numbers on it. */
export function documentLines(document: DocumentName, text: string): DocumentLine[] {
  const all = text.split(/\r?\n/);
  const out: DocumentLine[] = [];
  for (const scope of SCOPES[document]) {
    const start = all.findIndex((l) => scope.from.test(l));
    if (start < 0) throw new Error(`${document}: no line matches ${scope.from} (the scope of ${scope.section})`);
    const endAt = all.findIndex((l, i) => i > start && scope.to.test(l));
    const lines = all.slice(start + 1, endAt < 0 ? all.length : endAt);
    const contextOf = contextTracker();
    let blockDepth = 0;
    for (const raw of lines) {
      const context = contextOf(raw);
      const depthBefore = blockDepth;
      if (scope.blocks) {
        if (blockDepth === 0 && scope.blocks.test(raw)) blockDepth = 1;
        else if (blockDepth > 0) blockDepth += (raw.match(/[{[]/g) ?? []).length - (raw.match(/[}\]]/g) ?? []).length;
      }
      const inScope = !scope.blocks || depthBefore > 0 || (scope.alsoLines?.test(raw) ?? false);
      const text = normalizeLine(raw);
      if (!inScope || text === '' || text.startsWith('#') || /^[}\])]+[;,]?$/.test(text)) continue;
      out.push({ document, section: scope.section, context, text, numbers: numbersIn(text) });
    }
  }
  return out;
}

/** The key a coverage entry and a document line share. */
export const lineKey = (l: { document: DocumentName; section: string; context?: string; text: string }) =>
  `${l.document} ${l.section} ${l.context ?? ''} | ${l.text}`;
