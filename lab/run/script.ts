// The scripts' side of a run: stdout for help, dry-run output and the verdict; stderr for
// narration; a progress line on a TTY; Ctrl-C wired to the run's abort signal. Returns the exit
// code for the script to exit with.

import { EXIT_CODES } from '../exitCodes.ts';
import { interruptOnSignals } from './io.ts';
import { runCommand, verdictLines } from './runCommand.ts';
import type { RunCommand } from './flags.ts';

export async function runScriptCommand(args: readonly string[], command: RunCommand): Promise<number> {
  const tty = process.stderr.isTTY === true;
  const log = (line: string) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${line}\n`);
  const interrupt = interruptOnSignals(log);
  try {
    const result = await runCommand(args, command, {
      log,
      write: (text) => process.stderr.write(text),
      tty,
      signal: interrupt.signal,
    });
    if (result.stderr) process.stderr.write(result.stderr);
    if (result.stdout) process.stdout.write(result.stdout);
    if (result.run) process.stdout.write(`${verdictLines(result.run).join('\n')}\n`);
    // a dry run's YAML can be a MiB: let a piped stdout drain before the script calls process.exit
    await Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', r))));
    return result.exitCode;
  } catch (error) {
    log(`${command}: failed: ${(error as Error).stack ?? error}`);
    return interrupt.signal.aborted ? EXIT_CODES.interrupted : EXIT_CODES.labFailure;
  } finally {
    interrupt.dispose();
  }
}
