// The fault flags of run-soak.mjs and run.mjs (lab/run/flags.ts spreads FAULT_OPTIONS into its own
// and calls faultFlags): `--fault KIND@OFFSET[+DURATION]` (repeatable) and `--max-recovery D`.

import { formatDuration, parseDuration } from '../scenarios/profiles.ts';
import { RECOVERY_RULES } from '../sla/catalogue.ts';
import { FAULT_KINDS, FaultSpecError, parseFaultSpec, type FaultSpec } from './kinds.ts';

export const FAULT_OPTIONS = {
  fault: { type: 'string', multiple: true },
  'max-recovery': { type: 'string' },
} as const;

export interface FaultFlags {
  /** --fault, in the order given. */
  specs: FaultSpec[];
  /** --max-recovery (default RECOVERY_RULES.maxRecoveryMs, the guidelines' 5 minutes). */
  maxRecoveryMs: number;
}

export const FAULT_USAGE = `  --fault KIND@OFFSET[+DURATION]
                           inject a fault OFFSET after the runners start (repeatable), e.g. pg-replica-kill@10s,
                           redis-node-pause@20s+10s; kinds: ${FAULT_KINDS.join(', ')}
                           (what each target supports: docs/resilience.md)
  --max-recovery D         a fault must recover within D (default ${formatDuration(RECOVERY_RULES.maxRecoveryMs)}, the guidelines' recovery time)`;

/** The fault flags, parsed; throws FaultSpecError naming the flag. */
export function faultFlags(values: { fault?: string[] | undefined; 'max-recovery'?: string | undefined }): FaultFlags {
  const specs = (values.fault ?? []).map((text) => parseFaultSpec(text, 'flag', '--fault'));
  let maxRecoveryMs: number = RECOVERY_RULES.maxRecoveryMs;
  const text = values['max-recovery'];
  if (text !== undefined) {
    try {
      maxRecoveryMs = parseDuration(text, '--max-recovery');
    } catch {
      throw new FaultSpecError(`--max-recovery: "${text}" is not a duration; e.g. 5m, 90s`);
    }
    if (maxRecoveryMs < 1000) throw new FaultSpecError(`--max-recovery: "${text}" is shorter than 1s`);
  }
  return { specs, maxRecoveryMs };
}
