import { ServiceUnavailable } from '../errors';
import { failClosed } from './fail-closed';

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
 * pass through `failClosed()`.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ServiceUnavailable(undefined, new Error(`passport-simplejwt: storage did not answer within storageTimeout (${ms} ms)`))),
      ms,
    );
  });
  return failClosed(Promise.race([work, expired]).finally(() => clearTimeout(timer)));
}
