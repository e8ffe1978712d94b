import type { Logger } from '../logger';

/** At most one warning about failed signature checks in this many milliseconds. */
export const SIGNATURE_FAILURE_WARNING_INTERVAL_MS = 60_000;

/** A header value as a log line may show it: printable ASCII, cut to 64 characters (it comes from the token). */
function printable(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

/**
 * Counts tokens whose signature did not verify (or whose `kid` names no key)
 * and says so through `logger.warn`, at most once a minute: the line of two
 * instances signing with different keys. The count goes out with the first
 * failure after the quiet minute; nothing runs on a timer.
 */
export class SignatureFailures {
  private count = 0;
  private since: number | null = null;
  /** -Infinity before the first warning: the first failure is always said. */
  private lastWarning = -Infinity;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** Records one failure with the token's header (`kid`, `alg` as sent). */
  record(kid: unknown, alg: unknown): void {
    const now = this.now().getTime();
    this.count += 1;
    this.since ??= now;
    if (now - this.lastWarning < SIGNATURE_FAILURE_WARNING_INTERVAL_MS) return;
    const minutes = Math.max(1, Math.ceil((now - this.since) / SIGNATURE_FAILURE_WARNING_INTERVAL_MS));
    const tokens = this.count === 1 ? '1 token' : `${this.count} tokens`;
    const key = kid === undefined ? 'no kid' : `kid '${printable(kid)}'`;
    this.logger.warn(
      `passport-simplejwt: ${tokens} failed the signature check in the last ${minutes === 1 ? 'minute' : `${minutes} minutes`} (last: ${key}, alg ${printable(alg)}): are two instances using different keys?`,
    );
    this.lastWarning = now;
    this.count = 0;
    this.since = null;
  }
}
