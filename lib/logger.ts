/**
 * Where the package reports what an operator must see: unexpected errors
 * (`error`) and configuration that works but is weaker than it looks (`warn`).
 * `console` fits, and so do pino and winston loggers.
 *
 * @example
 * const sj = new SimpleJWT({ signingKey, users, logger: pino() });
 */
export interface Logger {
  /** Receives one line per unexpected error: the error and its whole `cause` chain, with stacks. */
  error(message: string): void;
  /** Receives configuration warnings, once per instance. */
  warn(message: string): void;
}

/** The default `logger` setting. */
export const DEFAULT_LOGGER: Logger = console;

/** Follows an error's `cause` chain (and Sequelize's `parent`), first the error itself; stops on a cycle. */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && !chain.includes(current)) {
    chain.push(current);
    if (typeof current !== 'object') break;
    const next = (current as { cause?: unknown; parent?: unknown }).cause ?? (current as { parent?: unknown }).parent;
    current = next;
  }
  return chain;
}

/** The error and every cause, with their stacks, as the text `logger.error` receives. */
export function describeError(err: unknown): string {
  return causeChain(err)
    .map((e, i) => {
      const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
      return i === 0 ? text : `Caused by: ${text}`;
    })
    .join('\n');
}
