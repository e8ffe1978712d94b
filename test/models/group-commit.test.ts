/**
 * The group commit behind `rotate()` (models/group-commit.ts): writes that
 * queue while a transaction runs share the next one, each answered with its
 * own result; the batch runs to the earliest deadline in it; a write whose
 * deadline passed while it queued is refused (503) without running; a
 * failing batch fails its own writes only. `commit` here stands for the
 * transaction and records what it was given, and is released by the test:
 * the queueing is what is under test (the transaction itself is tested in
 * rotation-batch.test.ts on the real databases).
 */
import { expect } from 'chai';
import { ServiceUnavailable } from '../../lib';
import { GROUP_COMMIT_MAX, GroupCommit } from '../../models/group-commit';

interface Call {
  items: string[];
  deadline: number;
  finish(results: string[]): void;
  fail(err: Error): void;
}

/** A group commit whose transactions the test ends by hand, one `Call` each. */
function manual(): { group: GroupCommit<string, string>; calls: Call[] } {
  const calls: Call[] = [];
  const group = new GroupCommit<string, string>(
    (items, deadline) =>
      new Promise<string[]>((resolve, reject) => {
        calls.push({ items, deadline, finish: resolve, fail: reject });
      }),
  );
  return { group, calls };
}

/** Lets queued promise callbacks run (the drain loop awaits between batches). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function outcome<T>(work: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('group commit: how rotations share transactions', () => {
  const later = () => Date.now() + 60_000;

  it('a lone write runs at once, alone, and gets its own result', async () => {
    const { group, calls } = manual();
    const deadline = later();
    const done = group.submit('a', deadline);
    expect(calls).to.have.length(1);
    expect(calls[0].items).to.deep.equal(['a']);
    expect(calls[0].deadline).to.equal(deadline);
    calls[0].finish(['result-a']);
    expect(await done).to.equal('result-a');
  });

  it('writes queued while a transaction runs share the next one, each answered with its own result, in order', async () => {
    const { group, calls } = manual();
    const first = group.submit('a', later());
    const queued = ['b', 'c', 'd'].map((item) => group.submit(item, later()));
    expect(calls, 'nothing more starts while a transaction runs').to.have.length(1);
    calls[0].finish(['A']);
    expect(await first).to.equal('A');
    await settle();
    expect(calls).to.have.length(2);
    expect(calls[1].items).to.deep.equal(['b', 'c', 'd']);
    calls[1].finish(['B', 'C', 'D']);
    expect(await Promise.all(queued)).to.deep.equal(['B', 'C', 'D']);
  });

  it('a batch runs to the earliest deadline of its writes', async () => {
    const { group, calls } = manual();
    const first = group.submit('a', later());
    const now = Date.now();
    const deadlines = [now + 50_000, now + 20_000, now + 40_000];
    const queued = deadlines.map((deadline, i) => group.submit(`q${i}`, deadline));
    calls[0].finish(['A']);
    await first;
    await settle();
    expect(calls[1].deadline).to.equal(now + 20_000);
    calls[1].finish(['1', '2', '3']);
    await Promise.all(queued);
  });

  it('a write whose deadline passed while it queued is refused with 503 and never reaches the transaction; the others run', async () => {
    const { group, calls } = manual();
    const first = group.submit('a', later());
    const stale = outcome(group.submit('stale', Date.now() + 20));
    const fresh = group.submit('fresh', later());
    await new Promise((resolve) => setTimeout(resolve, 60));
    calls[0].finish(['A']);
    await first;
    const refused = await stale;
    expect(refused.error).to.be.instanceOf(ServiceUnavailable);
    expect((refused.error as ServiceUnavailable).status).to.equal(503);
    expect(((refused.error as Error).cause as Error).message).to.equal(
      'passport-simplejwt: storageTimeout passed before the write could run; nothing was written',
    );
    await settle();
    expect(calls).to.have.length(2);
    expect(calls[1].items).to.deep.equal(['fresh']);
    calls[1].finish(['F']);
    expect(await fresh).to.equal('F');
  });

  it('when every queued write is past its deadline no transaction runs, and the next write still does', async () => {
    const { group, calls } = manual();
    const first = group.submit('a', later());
    const stale = [outcome(group.submit('s1', Date.now() + 20)), outcome(group.submit('s2', Date.now() + 20))];
    await new Promise((resolve) => setTimeout(resolve, 60));
    calls[0].finish(['A']);
    await first;
    for (const refused of await Promise.all(stale)) expect(refused.error).to.be.instanceOf(ServiceUnavailable);
    await settle();
    expect(calls, 'no transaction for writes that all gave up').to.have.length(1);
    const next = group.submit('next', later());
    expect(calls).to.have.length(2);
    calls[1].finish(['N']);
    expect(await next).to.equal('N');
  });

  it('a failing transaction rejects every write in it, with its error, and later writes still run', async () => {
    const { group, calls } = manual();
    const first = group.submit('a', later());
    const queued = ['b', 'c'].map((item) => outcome(group.submit(item, later())));
    calls[0].finish(['A']);
    await first;
    await settle();
    const failure = new Error('deadlock');
    calls[1].fail(failure);
    for (const rejected of await Promise.all(queued)) expect(rejected.error).to.equal(failure);
    await settle();
    const next = group.submit('d', later());
    expect(calls).to.have.length(3);
    expect(calls[2].items).to.deep.equal(['d']);
    calls[2].finish(['D']);
    expect(await next).to.equal('D');
  });

  it(`a lone write failing does not stop the next one (the queue restarts after it)`, async () => {
    const { group, calls } = manual();
    const failing = outcome(group.submit('a', later()));
    calls[0].fail(new Error('down'));
    expect((await failing).error).to.be.instanceOf(Error);
    await settle();
    const next = group.submit('b', later());
    expect(calls).to.have.length(2);
    calls[1].finish(['B']);
    expect(await next).to.equal('B');
  });

  it(`at most ${GROUP_COMMIT_MAX} writes share a transaction; the rest wait for the next`, async () => {
    const { group, calls } = manual();
    const first = group.submit('first', later());
    const count = GROUP_COMMIT_MAX + 10;
    const items = Array.from({ length: count }, (_, i) => `w${i}`);
    const queued = items.map((item) => group.submit(item, later()));
    calls[0].finish(['F']);
    await first;
    await settle();
    expect(calls[1].items).to.deep.equal(items.slice(0, GROUP_COMMIT_MAX));
    calls[1].finish(items.slice(0, GROUP_COMMIT_MAX).map((item) => item.toUpperCase()));
    await settle();
    expect(calls).to.have.length(3);
    expect(calls[2].items).to.deep.equal(items.slice(GROUP_COMMIT_MAX));
    calls[2].finish(items.slice(GROUP_COMMIT_MAX).map((item) => item.toUpperCase()));
    expect(await Promise.all(queued)).to.deep.equal(items.map((item) => item.toUpperCase()));
  });
});
