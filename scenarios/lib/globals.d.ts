// k6 provides a console (log/info/warn/error) but @types/k6 does not declare it.
declare global {
  const console: {
    log(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  };
}
export {};
