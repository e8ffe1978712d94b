import { ServiceUnavailable } from '../lib/errors';

/** The most writes one transaction takes; more wait for the next. */
export const GROUP_COMMIT_MAX = 256;

interface Pending<I, R> {
  item: I;
  deadline: number;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/** The error of a write whose request's deadline passed before it could run: it never runs. */
export function deadlinePassed(): ServiceUnavailable {
  return new ServiceUnavailable(undefined, new Error('passport-simplejwt: storageTimeout passed before the write could run; nothing was written'));
}

/**
 * Group commit: writes submitted while a transaction runs wait for it to
 * end and then share the next one. A write submitted while none runs
 * starts at once (no timer: a lone request waits for nobody). A batch that
 * fails rejects every write in it; a write whose deadline passed while it
 * queued is rejected without running.
 */
export class GroupCommit<I, R> {
  private queue: Array<Pending<I, R>> = [];
  private running = false;

  /** `commit` writes a batch in one transaction, all or nothing, finishing by `deadline` (epoch ms) or rejecting; it answers one result per item. */
  constructor(private readonly commit: (items: I[], deadline: number) => Promise<R[]>) {}

  submit(item: I, deadline: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, deadline, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const now = Date.now();
        const batch: Array<Pending<I, R>> = [];
        for (const pending of this.queue.splice(0, GROUP_COMMIT_MAX)) {
          if (pending.deadline <= now) pending.reject(deadlinePassed());
          else batch.push(pending);
        }
        if (batch.length === 0) continue;
        let deadline = Infinity;
        for (const pending of batch) deadline = Math.min(deadline, pending.deadline);
        try {
          const results = await this.commit(
            batch.map((pending) => pending.item),
            deadline,
          );
          batch.forEach((pending, i) => pending.resolve(results[i]));
        } catch (err) {
          for (const pending of batch) pending.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
