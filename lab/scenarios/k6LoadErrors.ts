// What k6 says when it cannot load a scenario, in the user's terms, and how long loading may take.
// k6 names the bundle (a temp file the user never wrote, gone after the run) and logs a JS stack;
// the user needs their own file and the error. Loading runs the scenario's init code, which can
// loop for ever: every k6 call that loads a scenario (`k6 inspect`, the threshold probe) has a
// time limit.

/**
 * How long k6 may take to load a scenario (its init code) before the lab gives up. Loading a
 * scenario of this repository takes well under a second; 30 s leaves room for a large bundle on a
 * slow, shared machine and still ends a `while (true)` at init long before anyone wonders.
 */
export const SCENARIO_LOAD_TIMEOUT_MS = 30_000;

/**
 * The environment of every k6 call that loads a scenario: no usage report, and no automatic
 * extension resolution — k6 v2 would otherwise answer an import of an unknown `k6/x/...` module
 * by downloading another k6 build from Grafana's build service, and the lab runs only the k6 it
 * built itself (.bin/k6). The import is then an error naming the module.
 */
export const K6_LOAD_ENV = { K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false' } as const;

/** The message of k6's last error line (`level=error msg="..."`), unescaped; else the log's last line. */
export function k6ErrorOf(log: string): string {
  const errors = [...log.matchAll(/level=error msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)));
  return errors.at(-1) ?? log.trim().split('\n').at(-1) ?? '(no output)';
}

/**
 * k6's error as the user should read it: the bundle's path replaced by the scenario's source,
 * the JS stack (`at file:///...`) dropped (its lines are the bundle's, not the source's), and the
 * valid executors named when k6 did not know one.
 */
export function k6LoadError(log: string, bundlePath: string, source: string = bundlePath): string {
  let message = k6ErrorOf(log)
    .split('\n')
    .filter((line) => !/^\s*at /.test(line))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  message = message.split(`file://${bundlePath}`).join(source).split(bundlePath).join(source);
  if (/unknown executor type/.test(message)) message += `; valid executors: ${K6_EXECUTORS.join(', ')}`;
  if (/unknown modules \[/.test(message)) {
    message = message.replace(/ - this likely means automatic extension resolution is required.*$/, '') +
      ' (k6 has no such module: the lab runs its own k6 build, without extensions, and never downloads another)';
  }
  return message || '(k6 said nothing)';
}

/** k6's executors (k6 v2 lib/executor), for the message when a scenario names another. */
export const K6_EXECUTORS = [
  'shared-iterations', 'per-vu-iterations', 'constant-vus', 'ramping-vus',
  'constant-arrival-rate', 'ramping-arrival-rate', 'externally-controlled',
] as const;
