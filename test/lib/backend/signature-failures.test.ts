import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimpleJWT, TokenBackendError } from '../../../lib';
import { SIGNATURE_FAILURE_WARNING_INTERVAL_MS } from '../../../lib/extend';
import { Clock, SECRET } from '../../helpers/fixtures';
import { ed25519Pair } from '../../helpers/keys';
import { signer } from '../../../lib/backend/jws';

const signEdDSA = signer('EdDSA');

// Issue #22 item 6 (with #21): tokens that keep failing the signature check are reported, at most once a minute.

function make(options: { kid?: string } = {}) {
  const clock = new Clock();
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message), error: () => undefined };
  const signingKey = options.kid === undefined ? SECRET : { kid: options.kid, key: SECRET };
  return { sj: new SimpleJWT({ signingKey, logger, now: clock.now }), clock, warnings };
}

function forged(clock: Clock, kid?: string): string {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return jwt.sign({ token_type: 'access', exp: iat + 300, iat, jti: 'f'.repeat(32) }, `${SECRET}-other`, kid === undefined ? {} : { keyid: kid });
}

describe('the warning about failed signature checks (#22 item 6)', () => {
  it('one line a minute at most, with the count, the kid and the alg seen', () => {
    const { sj, clock, warnings } = make({ kid: '2026-12' });
    const decode = (raw: string) => expect(() => sj.backend.decode(raw, true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    decode(forged(clock, '2026-12'));
    expect(warnings).to.deep.equal([
      "passport-simplejwt: 1 token failed the signature check in the last minute (last: kid '2026-12', alg HS256): are two instances using different keys?",
    ]);
    for (let i = 0; i < 11; i++) {
      clock.advance(5);
      decode(forged(clock, i % 2 ? '2026-12' : '2026-06')); // an unknown kid counts too: another instance's key
    }
    expect(warnings).to.have.length(1);
    clock.advance(SIGNATURE_FAILURE_WARNING_INTERVAL_MS / 1000 - 55);
    decode(forged(clock, '2026-06'));
    expect(warnings).to.have.length(2);
    expect(warnings[1]).to.equal(
      "passport-simplejwt: 12 tokens failed the signature check in the last minute (last: kid '2026-06', alg HS256): are two instances using different keys?",
    );
  });

  it('counts signature failures only: expired, malformed and wrong-algorithm tokens are not reported', () => {
    const { sj, clock, warnings } = make();
    const iat = Math.floor(clock.now().getTime() / 1000);
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const raw of [
      'garbage',
      'a.b.c',
      jwt.sign({ exp: iat - 10 }, SECRET),
      jwt.sign({ exp: iat + 10 }, SECRET, { algorithm: 'HS512' }),
      // Malformed with a signature of canonical form: a header that is not JSON, a typ JWT payload that is not JSON.
      `${b64('not json')}.${b64('{}')}.AAAA`,
      `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64('not json')}.AAAA`,
    ]) {
      expect(() => sj.backend.decode(raw, true, clock.now())).to.throw(TokenBackendError);
    }
    expect(warnings).to.deep.equal([]);
    expect(() => sj.backend.decode(forged(clock), true, clock.now())).to.throw(TokenBackendError);
    expect(warnings[0]).to.contain('1 token failed the signature check in the last minute (last: no kid, alg HS256)');
  });

  it('the line counts the minutes since the first failure it reports: "in the last 4 minutes"', () => {
    const { sj, clock, warnings } = make();
    const decode = () => expect(() => sj.backend.decode(forged(clock), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    decode();
    clock.advance(10);
    decode(); // the first failure after the line: counted from here
    clock.advance(190);
    decode();
    expect(warnings).to.have.length(2);
    expect(warnings[1]).to.equal(
      'passport-simplejwt: 2 tokens failed the signature check in the last 4 minutes (last: no kid, alg HS256): are two instances using different keys?',
    );
  });

  it('a header as the token sends it: a kid that is no string, a missing alg, are printed, never a crash', () => {
    const unnamed = make();
    const header = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    const iat = Math.floor(unnamed.clock.now().getTime() / 1000);
    const numericKid = jwt.sign({ exp: iat + 60 }, `${SECRET}-other`, { header: { alg: 'HS256', kid: 7 as unknown as string } });
    expect(() => unnamed.sj.backend.decode(numericKid, true, unnamed.clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(unnamed.warnings[0]).to.contain("(last: kid '7', alg HS256)");
    // A kid no key has, and no alg at all: refused as an unknown key, and said so.
    const named = make({ kid: '2026-12' });
    const noAlg = `${header({ kid: 'another' })}.${Buffer.from(JSON.stringify({ exp: iat + 60 })).toString('base64url')}.AAAA`;
    expect(() => named.sj.backend.decode(noAlg, true, named.clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(named.warnings[0]).to.contain("(last: kid 'another', alg undefined)");
  });

  it('EdDSA failures too, and a hostile kid is printed harmlessly', () => {
    const clock = new Clock();
    const warnings: string[] = [];
    const sj = new SimpleJWT({
      algorithm: 'EdDSA',
      signingKey: { kid: 'ed', key: ed25519Pair('a').privateKey },
      now: clock.now,
      logger: { warn: (m: string) => warnings.push(m), error: () => undefined },
    });
    const header = (kid: string) => Buffer.from(JSON.stringify({ alg: 'EdDSA', kid })).toString('base64url');
    const claims = JSON.stringify({ exp: Math.floor(clock.now().getTime() / 1000) + 60 });
    expect(() => sj.backend.decode(signEdDSA(header('ed'), claims, ed25519Pair('b').privateKey), true, clock.now())).to.throw(TokenBackendError);
    expect(warnings[0]).to.contain("(last: kid 'ed', alg EdDSA)");
    clock.advance(60);
    expect(() => sj.backend.decode(signEdDSA(header(`x\n${'y'.repeat(100)}`), claims, ed25519Pair('b').privateKey), true, clock.now())).to.throw(
      TokenBackendError,
    );
    expect(warnings[1]).to.contain(`(last: kid 'x?${'y'.repeat(62)}', alg EdDSA)`);
  });
});
