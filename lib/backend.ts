import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TokenBackendError, TokenBackendExpiredToken } from './errors';
import { JwksKeyProvider } from './jwks';
import { VerifiedTokenCache } from './verified-token-cache';
import type { Algorithm, KeyInput, ResolvedSettings } from './settings';

/** A decoded claim set. Null-prototype, so claim names like `__proto__` stay plain data. */
export type Payload = Record<string, unknown>;

/** The JOSE header of a token, as the key resolver sees it. */
export interface JwtHeader {
  alg?: string;
  kid?: string;
  typ?: string;
}

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
 * Signed but hostile shapes (SPEC 8), refused at decode so they never reach
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

function isHmac(algorithm: Algorithm): boolean {
  return algorithm.startsWith('HS');
}

function fail(message: string): never {
  throw new TypeError(`passport-simplejwt: ${message}`);
}

/** The curve each ES algorithm signs with. */
const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

function isKeyInput(key: unknown): key is KeyInput {
  return typeof key === 'string' || Buffer.isBuffer(key) || key instanceof KeyObject;
}

/** Throws unless an asymmetric key suits the algorithm (RSA for RS/PS, the right curve for ES). */
function checkAsymmetric(algorithm: Algorithm, key: KeyObject, setting: string): void {
  const type = key.asymmetricKeyType;
  const family = algorithm.slice(0, 2);
  const ok =
    family === 'RS' ? type === 'rsa'
      : family === 'PS' ? type === 'rsa' || type === 'rsa-pss'
        : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVES[algorithm];
  if (!ok) {
    const what = type === 'ec' ? `an EC key on ${String(key.asymmetricKeyDetails?.namedCurve)}` : `a ${String(type)} key`;
    fail(`'${setting}' is ${what}, which cannot be used with ${algorithm}`);
  }
}

/** The shortest HMAC secret accepted, in bytes (the output size of SHA-256, RFC 7518 section 3.2). */
export const MIN_HMAC_SECRET_BYTES = 32;

/** A PEM block or a JSON Web Key, which an HMAC algorithm must never take as its secret. */
function looksAsymmetric(text: string): boolean {
  if (/-----BEGIN [A-Z ]*KEY-----/.test(text) || /-----BEGIN CERTIFICATE-----/.test(text)) return true;
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return parsed !== null && typeof parsed === 'object' && 'kty' in parsed;
  } catch {
    return false;
  }
}

/** Turns key material into a KeyObject once, so no request pays for parsing it. */
function prepareKeys(algorithm: Algorithm, signingKey: unknown, verifyingKey: unknown, jwkUrl: string | null) {
  const empty = (k: unknown) => k === undefined || k === null || k === '' || (Buffer.isBuffer(k) && k.length === 0);
  for (const [setting, key] of [['signingKey', signingKey], ['verifyingKey', verifyingKey]] as const) {
    if (!empty(key) && !isKeyInput(key)) fail(`'${setting}' must be a string, a Buffer or a crypto.KeyObject`);
  }
  if (isHmac(algorithm)) {
    if (empty(signingKey)) fail(`'signingKey' is required for ${algorithm}`);
    if (!(signingKey instanceof KeyObject) && looksAsymmetric(Buffer.from(signingKey as string | Buffer).toString('utf8'))) {
      // A public key used as an HMAC secret lets anyone who has it sign tokens.
      fail(`'signingKey' is a PEM or JWK key, but ${algorithm} takes a shared secret: set 'algorithm' to RS*, ES* or PS* for a key pair`);
    }
    const key = signingKey instanceof KeyObject ? signingKey : createSecretKey(Buffer.from(signingKey as string | Buffer));
    if (key.type !== 'secret') fail(`'signingKey' must be a secret for ${algorithm}, not a ${key.type} key`);
    const bytes = key.symmetricKeySize ?? 0;
    if (bytes < MIN_HMAC_SECRET_BYTES) {
      fail(`'signingKey' is ${bytes} bytes: an ${algorithm} secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes (a short secret is brute-forced from a single token); generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`);
    }
    return { signing: key, verifying: key };
  }
  let signing: KeyObject | undefined;
  if (!empty(signingKey)) {
    try {
      signing = signingKey instanceof KeyObject ? signingKey : createPrivateKey(signingKey as string | Buffer);
    } catch (err) {
      fail(`'signingKey' is not a valid private key for ${algorithm}: ${(err as Error).message}`);
    }
    if (signing.type !== 'private') fail(`'signingKey' must be a private key for ${algorithm}`);
    checkAsymmetric(algorithm, signing, 'signingKey');
  }
  let verifying: KeyObject | undefined;
  if (!empty(verifyingKey)) {
    try {
      // A private key (object or PEM) given as verifyingKey verifies as its public half.
      verifying = verifyingKey instanceof KeyObject && verifyingKey.type === 'public' ? verifyingKey : createPublicKey(verifyingKey as string | Buffer | KeyObject);
    } catch (err) {
      fail(`'verifyingKey' is not a valid public key for ${algorithm}: ${(err as Error).message}`);
    }
    checkAsymmetric(algorithm, verifying, 'verifyingKey');
  } else if (signing) {
    verifying = createPublicKey(signing);
  }
  if (!signing && !verifying && !jwkUrl) fail(`'signingKey' (a private key) or 'verifyingKey' or 'jwkUrl' is required for ${algorithm}`);
  return { signing, verifying };
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
      throw new TypeError(`passport-simplejwt: cannot sign tokens: 'signingKey' (a private key for ${this.algorithm}) is not configured; this instance only verifies`);
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
