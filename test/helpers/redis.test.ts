import { expect } from 'chai';
import { RedisRelay, relayUrl } from './redis';

describe('test helpers: the Redis relay keeps TEST_REDIS_URL', () => {
  it("the relay's url keeps the database index, credentials and scheme of the target", () => {
    expect(relayUrl('redis://127.0.0.1:6379/5', 4000)).to.equal('redis://127.0.0.1:4000/5');
    expect(relayUrl('redis://user:secret@redis.internal:6380/2', 4001)).to.equal('redis://user:secret@127.0.0.1:4001/2');
    expect(relayUrl('rediss://redis.internal:6380', 4002)).to.equal('rediss://127.0.0.1:4002');
    const relay = new RedisRelay('redis://127.0.0.1:6379/7');
    relay.port = 4003;
    expect(relay.url).to.equal('redis://127.0.0.1:4003/7');
  });
});
