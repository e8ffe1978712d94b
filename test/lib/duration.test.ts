import { expect } from 'chai';
import { parseDuration, parseSignedDuration } from '../../lib/duration';

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
    // ['5'] and { toString } would read as '5' if they were taken as text.
    for (const bad of [-1, Number.NaN, Infinity, '5x', '', 'm', '-5m', null, {}, [], true, ['5'], ['5m'], { toString: () => '60' }]) {
      expect(parseDuration(bad), String(bad)).to.equal(undefined);
    }
  });
});

describe('parseSignedDuration (Token.setExp: a lifetime may be negative)', () => {
  it('reads negative numbers and strings, and positive ones as parseDuration does', () => {
    expect(parseSignedDuration(-60)).to.equal(-60);
    expect(parseSignedDuration(0)).to.equal(0);
    expect(parseSignedDuration(90)).to.equal(90);
    expect(parseSignedDuration('-1h')).to.equal(-3600);
    expect(parseSignedDuration('  -5m ')).to.equal(-300);
    expect(parseSignedDuration('-30')).to.equal(-30);
    expect(parseSignedDuration('2m')).to.equal(120);
  });

  it('refuses what is not a duration, with or without a minus', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, '-', '-5x', '--5', '5-', '-m', null, undefined, ['-5'], true]) {
      expect(parseSignedDuration(bad), String(bad)).to.equal(undefined);
    }
  });
});
