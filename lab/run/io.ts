// What a run needs from the script that calls it: where lines go, whether stdout is a terminal
// (progress line or plain lines), and the Ctrl-C signal.

export interface RunIo {
  /** one line of narration (stderr in the scripts, so stdout stays for YAML/plans). */
  log(line: string): void;
  /** raw text, for the progress line. */
  write(text: string): void;
  tty: boolean;
  /** aborted on Ctrl-C (SIGINT). */
  signal: AbortSignal;
}

/**
 * An AbortController tied to SIGINT/SIGTERM: the first signal aborts (the run stops its runners,
 * writes partial results and stops the lab); a second one says it is still stopping.
 */
export function interruptOnSignals(log: (line: string) => void, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`${sig} again: still stopping the runners and the lab, writing partial results; please wait`);
      return;
    }
    log(`${sig}: stopping the runners, writing partial results, stopping the lab`);
    controller.abort(new Error(sig));
  };
  for (const s of signals) process.on(s, handler);
  return { signal: controller.signal, dispose: () => signals.forEach((s) => process.off(s, handler)) };
}
