// junit.xml: each SLA, soak check, lab check and runner as a test case, so CI systems show a
// failing SLA by name. "not measured" SLAs are skipped cases, never passes.

import type { RunSummary } from './summary.ts';
import { describeSla } from '../analysis/verdict.ts';
import { describeThreshold } from '../analysis/thresholds.ts';
import { faultJunitCases } from '../faults/report.ts';
import { regressionCases } from './decisionSections.ts';

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

interface Case {
  classname: string;
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  message: string;
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}"`;
  if (c.outcome === 'pass') return `${open}/>`;
  const inner = c.outcome === 'fail'
    ? `<failure message="${xmlEscape(c.message)}"/>`
    : `<skipped message="${xmlEscape(c.message)}"/>`;
  return `${open}>${inner}</testcase>`;
}

export function renderJunit(s: RunSummary): string {
  const cases: Case[] = [
    ...s.slas.map((sla): Case => ({
      classname: 'perflab.sla',
      name: sla.id,
      outcome: sla.status === 'pass' ? 'pass' : sla.status === 'fail' ? 'fail' : 'skip',
      message: describeSla(sla),
    })),
    ...s.thresholds.map((t): Case => ({
      classname: 'perflab.threshold',
      name: `${t.metric}: ${t.expression}`,
      outcome: t.status === 'pass' ? 'pass' : t.status === 'fail' ? 'fail' : 'skip',
      message: describeThreshold(t),
    })),
    ...s.soakChecks.map((c): Case => ({
      classname: 'perflab.soak',
      name: c.id,
      outcome: c.status === 'fail' ? 'fail' : c.status === 'not-measured' ? 'skip' : 'pass',
      message: c.detail,
    })),
    ...s.labChecks.map((c): Case => ({
      classname: `perflab.lab.${c.phase}`,
      name: c.id,
      outcome: c.ok ? 'pass' : 'fail',
      message: c.detail,
    })),
    ...faultJunitCases(s),
    ...s.runners.map((r): Case => ({
      classname: 'perflab.runner',
      name: `runner-${r.instance}`,
      outcome: r.exitCode === 0 ? 'pass' : 'fail',
      message: `k6 exit code ${r.exitCode ?? 'none'}`,
    })),
    ...regressionCases(s),
  ];
  const failures = cases.filter((c) => c.outcome === 'fail').length;
  const skipped = cases.filter((c) => c.outcome === 'skip').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="perflab ${xmlEscape(s.runId)}" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xmlEscape(`${s.scenario} on ${s.target}${s.partial ? ' (partial)' : ''}`)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" timestamp="${xmlEscape(s.startedAt)}">`,
    ...cases.map(caseXml),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
