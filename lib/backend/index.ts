import { createPublicKey, type KeyObject } from 'node:crypto';
import { isObject, parseHeader, readJws, signatureCheck, signer, verifyJws, type SignatureCheck, type Signer } from './jws';
import { TokenBackendError, TokenBackendExpiredToken } from '../errors';
import { JwksKeyProvider } from './jwks';
import { DEFAULT_LOGGER, type Logger } from '../logger';
import { SignatureFailures } from './signature-failures';
import { VerifiedTokenCache } from './verified-token-cache';
import type { Algorithm, KeySettings, ResolvedSettings } from '../settings';
import { prepareKeys, type KeyRing } from '../settings/keys';
import type { JwtHeader, Payload } from '../types/jwt';

export { MIN_HMAC_SECRET_BYTES } from '../settings/keys';

export type { JwtHeader, Payload } from '../types/jwt';

/** Resolves the verifying key for a token when keys are remote (JWKS). */
export type KeyResolver = (header: JwtHeader) => KeyObject | undefined;

const RESOLVED: Promise<void> = Promise.resolve();

/** A decoded JWT payload that is a JSON object (not an array, string or null). */
function isClaimSet(value: unknown): value is Payload {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A caller's own copy of the claims: null-prototype, so names like `__proto__` stay plain data. */
function copyClaims(claims: Readonly<Payload>): Payload {
  return Object.assign(Object.create(null), claims) as Payload;
}

/** The times a claim may hold, in seconds: years 1 to 9999, what a Date, Python's datetime and every SQL dialect store. */
export const MIN_CLAIM_TIME = -62135596800;
export const MAX_CLAIM_TIME = 253402300799;

/** A time claim storage can take: a number of seconds within years 1 to 9999. */
function isStorableTime(value: unknown): boolean {
  return typeof value === 'number' && value >= MIN_CLAIM_TIME && value <= MAX_CLAIM_TIME;
}

/**
 * Signed but hostile shapes (docs/production.md, "Hostile tokens"), refused at decode so they never reach
 * storage: a `crit` header (RFC 7515 §4.1.11: we understand no extension, so
 * any listed one makes the token invalid), or a time claim that is not a
 * number a Date can hold.
 */
function checkHostile(header: Readonly<Record<string, unknown>>, claims: Readonly<Payload>, timeClaims: readonly string[]): void {
  if (Object.prototype.hasOwnProperty.call(header, 'crit')) throw new TokenBackendError('Token is invalid');
  for (const claim of timeClaims) {
    if (Object.prototype.hasOwnProperty.call(claims, claim) && !isStorableTime(claims[claim])) throw new TokenBackendError('Token is invalid');
  }
}

/** The base64url alphabet, in the order of the values its characters stand for. */
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;
/** Bits of the last character no byte uses, by the length of the text mod 4 (1: no length of bytes has it). */
const UNUSED_BITS_MASK: readonly number[] = [0, -1, 0b1111, 0b11];

/**
 * Whether a token's signature is spelled the one canonical way (docs/production.md, "Hostile tokens"):
 * base64url without padding, the unused low bits of its last character zero.
 * Decoders ignore those bits, so without this check one signature would have
 * several spellings, hence several token strings, that all verify.
 */
function isCanonicalSignature(token: string): boolean {
  const signature = token.slice(token.lastIndexOf('.') + 1);
  const mask = UNUSED_BITS_MASK[signature.length % 4];
  if (mask === -1 || !BASE64URL_TEXT.test(signature)) return false;
  // A mask of 0 passes whatever the last character is.
  return (BASE64URL.indexOf(signature[signature.length - 1]) & mask) === 0;
}

/**
 * The public half of a verifying key as a JSON Web Key (RFC 7517), as
 * `jwksRouter` publishes it: never a private member.
 *
 * @example
 * const { keys } = sj.backend.publicKeySet(); // [{ kty: 'OKP', kid: '2026-12', alg: 'EdDSA', use: 'sig', crv: 'Ed25519', x: '…' }]
 */
export interface PublicJwk {
  /** `RSA`, `EC` or `OKP` (Ed25519). */
  kty: string;
  /** The key's id; absent for the unnamed key. */
  kid?: string;
  /** The instance's `algorithm`. */
  alg: string;
  /** Always `sig`. */
  use: 'sig';
  /** RSA: modulus and exponent. */
  n?: string;
  e?: string;
  /** EC and OKP: the curve and the public point. */
  crv?: string;
  x?: string;
  y?: string;
}

/** The public members of each key type: nothing else of an exported JWK is ever published. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };

/** A key as a public JWK: only the members `PUBLIC_MEMBERS` names, whatever the export holds. */
function publicJwk(key: KeyObject, kid: string | undefined, alg: string): PublicJwk {
  const exported = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' }) as Record<string, unknown>;
  const kty = String(exported.kty);
  const jwk: Record<string, unknown> = { kty, ...(kid === undefined ? {} : { kid }), alg, use: 'sig' };
  for (const member of PUBLIC_MEMBERS[kty] ?? []) if (typeof exported[member] === 'string') jwk[member] = exported[member];
  return jwk as unknown as PublicJwk;
}

/** The header of a token as sent, read without any check; undefined when it is not a JSON object. */
function peekHeader(token: string): Readonly<Record<string, unknown>> | undefined {
  const end = token.indexOf('.');
  const header = parseHeader(end < 0 ? token : token.slice(0, end));
  return isObject(header) ? header : undefined;
}

/** The keys in use with what belongs to them: a new ring (and memory) at each `setKeys`. */
interface Ring extends KeyRing {
  /** Tokens these keys already verified: replaced with the keys, so a removed key's tokens are never remembered. */
  readonly verified?: VerifiedTokenCache;
  /** The header every token is signed under, encoded once: `alg`, `typ`, then `kid` when named (jsonwebtoken's order, which PyJWT interop tests compare). */
  readonly encodedHeader: string;
  /** The published key set, made on first use. */
  jwks?: { keys: PublicJwk[] };
}

/** The options of the token backend beyond the settings. */
export interface TokenBackendOptions {
  /** The instance's clock. Default: the system clock. */
  now?: () => Date;
  /** Where the rate-limited warning about failed signatures goes. Default `console`. */
  logger?: Logger;
}

/**
 * Signs and verifies tokens (Simple JWT's TokenBackend). It knows nothing of
 * token types or users: only the algorithm, keys, audience, issuer and leeway.
 */
export class TokenBackend {
  readonly algorithm: Algorithm;
  readonly leeway: number;
  private ring: Ring;
  private readonly audience: string | string[] | null;
  private readonly issuer: string | null;
  private readonly jwkUrl: string | null;
  private readonly jsonEncoder: ResolvedSettings['jsonEncoder'];
  /** The pinned algorithm's signer and signature check (node:crypto, lib/backend/jws.ts). */
  private readonly sign: Signer;
  private readonly checkSignature: SignatureCheck;
  /** Resolves the verifying key of a token; set when `jwkUrl` is configured. */
  keyResolver?: KeyResolver;
  private readonly jwks?: JwksKeyProvider;
  /** Claims that hold times (`exp`, `nbf`, `iat` and the family and sliding expiries): checked at decode. */
  private readonly timeClaims: readonly string[];
  private readonly signatureFailures: SignatureFailures;

  constructor(settings: ResolvedSettings, keys: KeySettings, options: TokenBackendOptions = {}) {
    this.algorithm = settings.algorithm;
    this.leeway = settings.leeway;
    this.audience = settings.audience;
    this.issuer = settings.issuer;
    this.jwkUrl = settings.jwkUrl;
    this.jsonEncoder = settings.jsonEncoder;
    const now = options.now ?? (() => new Date());
    this.ring = this.makeRing(keys);
    if (settings.jwkUrl !== null) {
      const jwks = new JwksKeyProvider(settings.jwkUrl, now, settings.algorithm);
      this.jwks = jwks;
      this.keyResolver = (header) => jwks.resolve(header);
    }
    // Built once: the algorithm is pinned, so a header naming another one (or `none`) fails (lib/backend/jws.ts).
    this.checkSignature = signatureCheck(settings.algorithm);
    this.sign = signer(settings.algorithm);
    this.timeClaims = [...new Set(['exp', 'nbf', 'iat', settings.tokenFamilyExpirationClaim, settings.slidingTokenRefreshExpClaim])];
    this.signatureFailures = new SignatureFailures(options.logger ?? DEFAULT_LOGGER, now);
  }

  private makeRing(keys: KeySettings): Ring {
    const ring = prepareKeys(this.algorithm, keys, this.jwkUrl);
    // JSON.stringify leaves `kid` out when it is undefined (an unnamed signing key).
    const header = { alg: this.algorithm, typ: 'JWT' as const, kid: ring.signingKid };
    // Only a static key may vouch for a token later: a JWKS key can be rotated out. (Without jwkUrl,
    // prepareKeys always gives a key that verifies: the unnamed one or one by kid.)
    const verified = this.jwkUrl === null ? new VerifiedTokenCache() : undefined;
    return { ...ring, encodedHeader: Buffer.from(JSON.stringify(header)).toString('base64url'), verified };
  }

  /**
   * Replaces the keys (`sj.setKeys`): checked as the constructor checks them
   * (a bad one throws and nothing changes). Tokens of a removed key fail from
   * now on: the memory of verified tokens goes with the old keys.
   */
  setKeys(keys: KeySettings): void {
    const ring = this.makeRing(keys);
    if (this.ring.signing && !ring.signing) {
      throw new TypeError("passport-simplejwt: 'signingKey' is required by setKeys() on an instance that signs (its signing views are mounted)");
    }
    this.ring = ring;
  }

  /** Whether this backend can sign: false on a verify-only instance (a public key or `jwkUrl` only). */
  get canSign(): boolean {
    return this.ring.signing !== undefined;
  }

  /** The length of the HMAC secret in bytes; null for RS/ES/PS/EdDSA. */
  get hmacSecretBytes(): number | null {
    const { signing } = this.ring;
    return signing?.type === 'secret' ? (signing.symmetricKeySize ?? 0) : null;
  }

  /**
   * The public halves of the signing key and of every verifying key, as an
   * RFC 7517 key set (a key without kid is published without one). Throws a
   * TypeError for HS*: a secret has no public half.
   */
  publicKeySet(): { keys: PublicJwk[] } {
    if (this.algorithm.startsWith('HS')) {
      throw new TypeError(`passport-simplejwt: ${this.algorithm} keys are shared secrets: there is no public key to publish (use RS*, ES*, PS* or EdDSA)`);
    }
    const ring = this.ring;
    if (!ring.jwks) {
      const keys: PublicJwk[] = [];
      if (ring.unnamed) keys.push(publicJwk(ring.unnamed, undefined, this.algorithm));
      for (const [kid, key] of ring.byKid) keys.push(publicJwk(key, kid, this.algorithm));
      ring.jwks = { keys };
    }
    return ring.jwks;
  }

  /** Signs a claim set, adding `aud` and `iss` when configured. */
  encode(payload: Payload): string {
    const { signing, encodedHeader } = this.ring;
    if (!signing) {
      throw new TypeError(
        `passport-simplejwt: cannot sign tokens: 'signingKey' (a private key for ${this.algorithm}) is not configured; this instance only verifies`,
      );
    }
    const claims: Payload = Object.assign(Object.create(null), payload);
    if (this.audience !== null) claims.aud = this.audience;
    if (this.issuer !== null) claims.iss = this.issuer;
    // The payload is jsonEncoder's output exactly; `typ` is in the header as PyJWT sets it.
    return this.sign(encodedHeader, this.jsonEncoder ? JSON.stringify(claims, this.jsonEncoder) : JSON.stringify(claims), signing);
  }

  /**
   * Decodes a token. With `verify` the signature, algorithm, `exp`/`nbf`
   * (with leeway, against `now`), audience and issuer are checked; without
   * it the claims are only read.
   */
  decode(token: string, verify = true, now: Date = new Date()): Payload {
    if (!verify) return this.read(token);
    if (!this.keyResolver) return this.verifyStatic(token, now);
    const key = this.remoteKeyFor(token);
    if (!key) throw new TokenBackendError('Token is invalid');
    return this.verifyWith(token, key, now, undefined, false);
  }

  /**
   * As `decode(token, true, now)` when the verifying key is at hand without
   * I/O (always, but for a JWKS key not fetched yet); else the claims are
   * only read. `verified` tells which, so the signature can be checked later.
   */
  decodeIfKeyAtHand(token: string, now: Date): { payload: Payload; verified: boolean } {
    if (!this.keyResolver) return { payload: this.verifyStatic(token, now), verified: true };
    const key = this.remoteKeyFor(token);
    return key ? { payload: this.verifyWith(token, key, now, undefined, false), verified: true } : { payload: this.read(token), verified: false };
  }

  /** The claims without any check of the signature or times (as jsonwebtoken's `decode`), the hostile shapes still refused. */
  private read(token: string): Payload {
    const decoded = readJws(token);
    if (!decoded || !isClaimSet(decoded.payload)) throw new TokenBackendError('Token is invalid');
    checkHostile(decoded.header, decoded.payload, this.timeClaims);
    return copyClaims(decoded.payload);
  }

  /**
   * A token against the configured keys: remembered ones first (only their
   * times can have changed), else the key its `kid` names, or the unnamed key
   * when it names none. With no named key the header is not read here: the
   * verified header must then have no `kid`.
   */
  private verifyStatic(token: string, now: Date): Payload {
    const ring = this.ring;
    const remembered = ring.verified?.get(token);
    if (remembered !== undefined) return this.checkRememberedTimes(ring, token, remembered, now);
    if (ring.byKid.size === 0) {
      if (!ring.unnamed) throw new TokenBackendError('Token is invalid');
      return this.verifyWith(token, ring.unnamed, now, ring, true);
    }
    const header = peekHeader(token);
    if (!header) throw new TokenBackendError('Token is invalid');
    const kid = header.kid;
    // A kid that is no string names no key: the map's keys are all strings.
    const key = kid === undefined ? ring.unnamed : ring.byKid.get(kid as string);
    if (!key) {
      // A kid we do not have is what a second instance with other keys sends.
      if (typeof kid === 'string') this.signatureFailures.record(kid, header.alg);
      throw new TokenBackendError('Token is invalid');
    }
    return this.verifyWith(token, key, now, ring, false);
  }

  private verifyWith(token: string, key: KeyObject, now: Date, ring: Ring | undefined, refuseKid: boolean): Payload {
    if (!isCanonicalSignature(token)) throw new TokenBackendError('Token is invalid');
    const { header, claims } = this.verifyJwt(token, key, now);
    // Only unnamed keys here: a token naming a key must be checked against that key alone.
    if (refuseKid && header.kid !== undefined) throw new TokenBackendError('Token is invalid');
    checkHostile(header, claims, this.timeClaims);
    this.checkIssuedAt(claims, now);
    // Remembered claims are kept as they are and a copy is handed out; claims not remembered
    // (a first sighting) are nobody else's, and only lose their prototype (issue #25: no copy).
    if (ring?.verified && typeof claims.exp === 'number' && ring.verified.admit(token, claims)) return copyClaims(claims);
    return Object.setPrototypeOf(claims, null) as Payload;
  }

  /**
   * One pass on node:crypto for every algorithm (issue #25; lib/backend/jws.ts): the form, the
   * pinned `alg`, the signature, then the claim checks jsonwebtoken made, in its order
   * (`nbf`, `exp`, audience, issuer), with the leeway, against the instance's clock.
   */
  private verifyJwt(token: string, key: KeyObject, now: Date): { header: Record<string, unknown>; claims: Payload } {
    const result = verifyJws(token, this.algorithm, this.checkSignature, key);
    if (!result.ok) {
      if (result.reason === 'algorithm') throw new TokenBackendError('Invalid algorithm specified');
      if (result.reason === 'signature') this.signatureFailures.record(result.header.kid, result.header.alg);
      throw new TokenBackendError('Token is invalid');
    }
    const claims = result.payload;
    if (!isClaimSet(claims)) throw new TokenBackendError('Token is invalid');
    const clock = Math.floor(now.getTime() / 1000);
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > clock + this.leeway)) throw new TokenBackendError('Token is invalid');
    if (claims.exp !== undefined) {
      if (typeof claims.exp !== 'number') throw new TokenBackendError('Token is invalid');
      if (clock >= claims.exp + this.leeway) throw new TokenBackendExpiredToken('Token is expired');
    }
    if (this.audience !== null) {
      const wanted = Array.isArray(this.audience) ? this.audience : [this.audience];
      const given: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!given.some((aud) => wanted.includes(aud as string))) throw new TokenBackendError('Token is invalid');
    }
    // A claim that is no string differs from the configured issuer string.
    if (this.issuer !== null && claims.iss !== this.issuer) throw new TokenBackendError('Token is invalid');
    return { header: result.header, claims };
  }

  /** A remembered token: only its times can have changed, checked as jsonwebtoken checks them (and `iat` as PyJWT). */
  private checkRememberedTimes(ring: Ring, token: string, claims: Readonly<Payload>, now: Date): Payload {
    const clockTimestamp = Math.floor(now.getTime() / 1000);
    if (clockTimestamp >= (claims.exp as number) + this.leeway) {
      ring.verified?.delete(token);
      throw new TokenBackendExpiredToken('Token is expired');
    }
    if (typeof claims.nbf === 'number' && claims.nbf > clockTimestamp + this.leeway) throw new TokenBackendError('Token is invalid');
    this.checkIssuedAt(claims, now);
    return copyClaims(claims);
  }

  /**
   * PyJWT (2.10 and later) refuses a token issued in the future: `iat`, when
   * present, must be a number whose integer part is at most now plus the
   * leeway. jsonwebtoken does not check `iat` at all.
   */
  private checkIssuedAt(claims: Readonly<Payload>, now: Date): void {
    if (!Object.prototype.hasOwnProperty.call(claims, 'iat')) return;
    const iat = claims.iat;
    if (typeof iat !== 'number' || Math.trunc(iat) > now.getTime() / 1000 + this.leeway) throw new TokenBackendError('Token is invalid');
  }

  /**
   * Makes the key that verifies `token` available without I/O: with
   * `jwkUrl`, fetches the key set when the token's key is not cached.
   * Resolves at once otherwise.
   */
  prepareKey(token: string): Promise<void> {
    return this.jwks ? this.jwks.prepare(token) : RESOLVED;
  }

  /** The verifying key from the key set (`jwkUrl`, as Simple JWT); the provider keeps only keys that fit the pinned algorithm. */
  private remoteKeyFor(token: string): KeyObject | undefined {
    // Its members are read as untrusted (`resolve` checks that `kid` is a string).
    const header = readJws(token)?.header as JwtHeader | undefined;
    return header && this.keyResolver ? this.keyResolver(header) : undefined;
  }
}
