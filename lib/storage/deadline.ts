import { ServiceUnavailable } from '../errors';
import { asPackageError } from './fail-closed';

/**
 * The deadline (epoch milliseconds) of storage work starting now and
 * allowed `ms`: the one place a deadline is computed (a view's request, a
 * rotation called outside a view). On the wall clock, not the instance's
 * `now` setting: the timers, the group commit and the database's own lock
 * waits that keep it run on real time, and a test's frozen clock must not
 * put every deadline in the past.
 */
export function deadlineIn(ms: number): number {
  return Date.now() + ms;
}

/**
 * Storage work (database, cache) bounded by `ms` milliseconds: its answer,
 * or a 503 once the time is up. The work is left to end on its own: reads
 * change nothing, and writes check the same deadline before they commit
 * (see the group commit), so nothing is committed behind the 503. Errors
 * pass through `asPackageError()`, as `failClosed()` does.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    work.then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        settled = true;
        clearTimeout(timer);
        reject(asPackageError(err));
      },
    );
    // Work already done (a user store answering from memory) settles in the microtask queued
    // just above, before this one: it needs no timer (issue #25: one per request cost more than the lookup).
    queueMicrotask(() => {
      if (settled) return;
      timer = setTimeout(
        () => reject(new ServiceUnavailable(undefined, new Error(`passport-simplejwt: storage did not answer within storageTimeout (${ms} ms)`))),
        ms,
      );
    });
  });
}
