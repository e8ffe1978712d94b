import { expect } from 'chai';
import { parseDuration } from '../../lib/duration';

describe('parseDuration', () => {
  it('reads seconds given as a number or a bare numeric string', () => {
    expect(parseDuration(300)).to.equal(300);
    expect(parseDuration('300')).to.equal(300);
  });

  it('reads unit suffixes', () => {
    expect(parseDuration('5m')).to.equal(300);
    expect(parseDuration('1d')).to.equal(86400);
    expect(parseDuration('2h')).to.equal(7200);
    expect(parseDuration('1w')).to.equal(604800);
    expect(parseDuration('30 seconds')).to.equal(30);
  });

  it('refuses what is not a duration', () => {
    for (const bad of [-1, Number.NaN, Infinity, '5x', '', 'm', '-5m', null, {}, [], true]) {
      expect(parseDuration(bad), String(bad)).to.equal(undefined);
    }
  });
});
