// results/<run-id>/: where a run leaves its record. summary.json, report.md, report.html and junit.xml are
// written here; the runners' k6 summaries and lab.json are written here by the lab itself.

import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSummary } from '../report/summary.ts';
import { renderReportMarkdown } from '../report/markdown.ts';
import { renderJunit } from '../report/junit.ts';
import { renderReportHtml } from '../report/html.ts';

export const RESULT_FILES = {
  summary: 'summary.json',
  report: 'report.md',
  html: 'report.html',
  junit: 'junit.xml',
  labJson: 'lab.json',
} as const;

export function runResultsDir(resultsRoot: string, runId: string): string {
  const dir = join(resultsRoot, runId);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes atomically (temp file + rename) so a reader never sees half a summary. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Writes summary.json, report.md, report.html and junit.xml; returns their paths. */
export function writeRunResults(dir: string, summary: RunSummary): Record<keyof typeof RESULT_FILES, string> {
  mkdirSync(dir, { recursive: true });
  const paths = {
    summary: join(dir, RESULT_FILES.summary),
    report: join(dir, RESULT_FILES.report),
    html: join(dir, RESULT_FILES.html),
    junit: join(dir, RESULT_FILES.junit),
    labJson: join(dir, RESULT_FILES.labJson),
  };
  writeAtomic(paths.summary, `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomic(paths.report, renderReportMarkdown(summary));
  writeAtomic(paths.html, renderReportHtml(summary));
  writeAtomic(paths.junit, renderJunit(summary));
  return paths;
}
