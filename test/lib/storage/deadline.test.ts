import { createHook } from 'node:async_hooks';
import { expect } from 'chai';
import { ServerError, ServiceUnavailable } from '../../../lib';
import { deadlineIn, withinDeadline } from '../../../lib/storage/deadline';

/** The timers created while `work` runs, and which of them are still pending (neither fired nor cleared) when it ends. */
async function timersOf<T>(work: () => Promise<T>): Promise<{ value: T; created: number; pending: number }> {
  // Mocha arms its own test timer once the test function returns its promise: watch from a turn later.
  await new Promise((resolve) => setImmediate(resolve));
  const live = new Set<number>();
  let created = 0;
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      created += 1;
      live.add(id);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  try {
    const value = await work();
    // Node reports a cleared timer's end on a later turn.
    await new Promise((resolve) => setImmediate(resolve));
    return { value, created, pending: live.size };
  } finally {
    hook.disable();
  }
}

/** A promise that settles only after `turns` turns of the event loop (an answer from I/O). */
function afterTurns<T>(turns: number, value: T): Promise<T> {
  return new Promise((resolve) => {
    const step = (left: number): void => void (left === 0 ? resolve(value) : setImmediate(() => step(left - 1)));
    step(turns);
  });
}

describe('withinDeadline(): storage work bounded by storageTimeout', () => {
  it('an answer at hand (a user store reading memory) passes through without arming a timer', async () => {
    const run = await timersOf(() => Promise.all(Array.from({ length: 50 }, (_, i) => withinDeadline(Promise.resolve(i), 3000))));
    expect(run.value).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    expect(run.created).to.equal(0);
  });

  it('an answer that takes I/O arrives, and the deadline armed for it is cleared', async () => {
    const run = await timersOf(() => withinDeadline(afterTurns(3, 'row'), 3000));
    expect(run.value).to.equal('row');
    expect(run.created).to.equal(1);
    expect(run.pending, 'a timer left behind keeps the process alive for storageTimeout').to.equal(0);
  });

  it('work that never answers is a 503 once the time is up, not before', async () => {
    const started = Date.now();
    const err = await withinDeadline(new Promise(() => {}), 150).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ServiceUnavailable);
    expect((err as ServiceUnavailable).cause)
      .to.have.property('message')
      .that.matches(/within storageTimeout \(150 ms\)/);
    expect(Date.now() - started).to.be.at.least(140);
  });

  it('a failure at hand arms no timer either', async () => {
    const run = await timersOf(() => withinDeadline(Promise.reject(new TypeError('bug')), 3000).catch((e: unknown) => e));
    expect(run.value).to.be.instanceOf(ServerError);
    expect(run.created, 'a timer armed for work already failed keeps the process alive for storageTimeout').to.equal(0);
  });

  it('deadlineIn(ms): that many milliseconds from now on the wall clock', () => {
    const before = Date.now();
    const deadline = deadlineIn(2500);
    expect(deadline).to.be.within(before + 2500, Date.now() + 2500);
  });

  it('a failure is classified as failClosed() does: an outage a 503, a bug a 500 with its cause', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const outage = await withinDeadline(Promise.reject(refused), 3000).catch((e: unknown) => e);
    expect(outage).to.be.instanceOf(ServiceUnavailable);
    const bug = new TypeError('users.findById is broken');
    const failure = await withinDeadline(Promise.reject(bug), 3000).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(ServerError);
    expect((failure as ServerError).cause).to.equal(bug);
  });
});
