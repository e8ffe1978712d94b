import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TokenBackendError, TokenBackendExpiredToken } from './errors';
import { JwksKeyProvider } from './jwks';
import { VerifiedTokenCache } from './verified-token-cache';
import type { Algorithm, KeyInput, ResolvedSettings } from './settings';
import { prepareKeys } from './settings/keys';
import type { JwtHeader, Payload } from './jwt-types';

export { MIN_HMAC_SECRET_BYTES } from './settings/keys';

export type { JwtHeader, Payload } from './jwt-types';

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
 * Signed but hostile shapes (README, "Hostile tokens"), refused at decode so they never reach
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
 * Whether a token's signature is spelled the one canonical way (README, "Hostile tokens"):
 * base64url without padding, the unused low bits of its last character zero.
 * Decoders ignore those bits, so without this check one signature would have
 * several spellings, hence several token strings, that all verify.
 */
function isCanonicalSignature(token: string): boolean {
  const signature = token.slice(token.lastIndexOf('.') + 1);
  const mask = UNUSED_BITS_MASK[signature.length % 4];
  if (mask === -1 || !BASE64URL_TEXT.test(signature)) return false;
  return mask === 0 || (BASE64URL.indexOf(signature[signature.length - 1]) & mask) === 0;
}

/**
 * Signs and verifies tokens (Simple JWT's TokenBackend). It knows nothing of
 * token types or users: only the algorithm, keys, audience, issuer and leeway.
 */
export class TokenBackend {
  readonly algorithm: Algorithm;
  readonly leeway: number;
  private readonly signingKey?: KeyObject;
  private readonly verifyingKey?: KeyObject;
  private readonly audience: string | string[] | null;
  private readonly issuer: string | null;
  private readonly jsonEncoder: ResolvedSettings['jsonEncoder'];
  /** The pinned algorithm, as jsonwebtoken takes it. */
  private readonly verifyAlgorithms: jwt.Algorithm[];
  /** Tokens this instance's static key already verified (see VerifiedTokenCache). */
  private readonly verified?: VerifiedTokenCache;
  /** Resolves the verifying key of a token; set when `jwkUrl` is configured. */
  keyResolver?: KeyResolver;
  private readonly jwks?: JwksKeyProvider;
  /** Claims that hold times (`exp`, `nbf`, `iat` and the family and sliding expiries): checked at decode. */
  private readonly timeClaims: readonly string[];
  /** The length of the HMAC secret in bytes; null for RS/ES/PS. */
  readonly hmacSecretBytes: number | null;

  constructor(settings: ResolvedSettings, signingKey: KeyInput | undefined, verifyingKey: KeyInput | undefined, now?: () => Date) {
    this.algorithm = settings.algorithm;
    this.leeway = settings.leeway;
    this.audience = settings.audience;
    this.issuer = settings.issuer;
    this.jsonEncoder = settings.jsonEncoder;
    const keys = prepareKeys(settings.algorithm, signingKey, verifyingKey, settings.jwkUrl);
    this.signingKey = keys.signing;
    this.verifyingKey = keys.verifying;
    this.hmacSecretBytes = keys.signing?.type === 'secret' ? (keys.signing.symmetricKeySize ?? 0) : null;
    if (settings.jwkUrl !== null) {
      const jwks = new JwksKeyProvider(settings.jwkUrl, now);
      this.jwks = jwks;
      this.keyResolver = (header) => jwks.resolve(header);
    }
    // Only a static key may vouch for a token later: a JWKS key can be rotated out.
    if (this.verifyingKey && settings.jwkUrl === null) this.verified = new VerifiedTokenCache();
    // Built once: the algorithm is pinned, so a header naming another one (or `none`) fails.
    this.verifyAlgorithms = [settings.algorithm];
    this.timeClaims = [...new Set(['exp', 'nbf', 'iat', settings.tokenFamilyExpirationClaim, settings.slidingTokenRefreshExpClaim])];
  }

  /** Whether this backend can sign: false on a verify-only instance (a public key or `jwkUrl` only). */
  get canSign(): boolean {
    return this.signingKey !== undefined;
  }

  /** Signs a claim set, adding `aud` and `iss` when configured. */
  encode(payload: Payload): string {
    if (!this.signingKey) {
      throw new TypeError(
        `passport-simplejwt: cannot sign tokens: 'signingKey' (a private key for ${this.algorithm}) is not configured; this instance only verifies`,
      );
    }
    const claims: Payload = Object.assign(Object.create(null), payload);
    if (this.audience !== null) claims.aud = this.audience;
    if (this.issuer !== null) claims.iss = this.issuer;
    const json = this.jsonEncoder ? JSON.stringify(claims, this.jsonEncoder) : JSON.stringify(claims);
    // A string payload keeps jsonEncoder's output exactly; `typ` is set as PyJWT sets it.
    return jwt.sign(json, this.signingKey, { algorithm: this.algorithm, header: { alg: this.algorithm, typ: 'JWT' } });
  }

  /**
   * Decodes a token. With `verify` the signature, algorithm, `exp`/`nbf`
   * (with leeway, against `now`), audience and issuer are checked; without
   * it the claims are only read.
   */
  decode(token: string, verify = true, now: Date = new Date()): Payload {
    if (!verify) return this.read(token);
    const key = this.keyFor(token);
    if (!key) throw new TokenBackendError('Token is invalid');
    return this.verifyWith(token, key, now);
  }

  /**
   * As `decode(token, true, now)` when the verifying key is at hand without
   * I/O (always, but for a JWKS key not fetched yet); else the claims are
   * only read. `verified` tells which, so the signature can be checked later.
   */
  decodeIfKeyAtHand(token: string, now: Date): { payload: Payload; verified: boolean } {
    const key = this.keyFor(token);
    return key ? { payload: this.verifyWith(token, key, now), verified: true } : { payload: this.read(token), verified: false };
  }

  private read(token: string): Payload {
    let decoded: jwt.Jwt | null;
    try {
      decoded = jwt.decode(token, { complete: true });
    } catch (err) {
      throw new TokenBackendError('Token is invalid', err);
    }
    if (!decoded || !isClaimSet(decoded.payload)) throw new TokenBackendError('Token is invalid');
    checkHostile(decoded.header as unknown as Record<string, unknown>, decoded.payload, this.timeClaims);
    return copyClaims(decoded.payload);
  }

  private verifyWith(token: string, key: KeyObject, now: Date): Payload {
    const clockTimestamp = Math.floor(now.getTime() / 1000);
    const remembered = this.verified?.get(token);
    if (remembered !== undefined) return this.checkRememberedTimes(token, remembered, now);
    // After the cache: a remembered token passed this check when it was verified.
    if (!isCanonicalSignature(token)) throw new TokenBackendError('Token is invalid');
    let decoded: jwt.Jwt;
    try {
      // The instance's clock, not the process's: tests and replays control time.
      // A literal of one fixed shape: spreading prepared options here cost ~1.5 µs a request (bench/RESULTS.md).
      // jsonwebtoken only checks audience/issuer when truthy, so null is the same as absent.
      decoded = jwt.verify(token, key, {
        algorithms: this.verifyAlgorithms,
        clockTolerance: this.leeway,
        audience: (this.audience ?? undefined) as string | [string, ...string[]] | undefined,
        issuer: this.issuer ?? undefined,
        clockTimestamp,
        complete: true,
      });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new TokenBackendExpiredToken('Token is expired', err);
      if (err instanceof Error && /invalid algorithm/.test(err.message)) throw new TokenBackendError('Invalid algorithm specified', err);
      throw new TokenBackendError('Token is invalid', err);
    }
    const claims = decoded.payload;
    if (!isClaimSet(claims)) throw new TokenBackendError('Token is invalid');
    checkHostile(decoded.header as unknown as Record<string, unknown>, claims, this.timeClaims);
    this.checkIssuedAt(claims, now);
    // jsonwebtoken's result is ours alone: remember it as is, hand out a copy.
    if (this.verified && typeof claims.exp === 'number') this.verified.set(token, claims);
    return copyClaims(claims);
  }

  /** A remembered token: only its times can have changed, checked as jsonwebtoken checks them (and `iat` as PyJWT). */
  private checkRememberedTimes(token: string, claims: Readonly<Payload>, now: Date): Payload {
    const clockTimestamp = Math.floor(now.getTime() / 1000);
    if (clockTimestamp >= (claims.exp as number) + this.leeway) {
      this.verified?.delete(token);
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

  /** The verifying key: from the key set when `jwkUrl` is set (as Simple JWT), else the configured one. */
  private keyFor(token: string): KeyObject | undefined {
    if (this.keyResolver) {
      let header: jwt.JwtHeader | undefined;
      try {
        header = jwt.decode(token, { complete: true })?.header;
      } catch {
        return undefined;
      }
      return header ? this.keyResolver(header) : undefined;
    }
    return this.verifyingKey;
  }
}
