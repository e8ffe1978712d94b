import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JwtHeader } from '../types/jwt';
import { readJws } from './jws';
import { ServiceUnavailable } from '../errors';
import type { Algorithm } from '../settings';
import { keyFitsAlgorithm } from '../settings/keys';

/** Seconds a fetched key set is trusted before it is fetched again (as jwks-rsa's cacheMaxAge). */
export const JWKS_CACHE_MAX_AGE = 10 * 60;
/** Seconds after a fetch during which an unknown `kid` does not fetch again (as jose's cooldown): no amplification. */
export const JWKS_COOLDOWN = 30;
/** Milliseconds a key set request may take before the key server counts as down. */
export const JWKS_TIMEOUT_MS = 5000;

/** The key types a JWKS may hold for the algorithms we verify (RS/PS: RSA, ES: EC, EdDSA: OKP Ed25519). */
const SIGNING_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

/**
 * The signing keys of a JSON Web Key Set (RFC 7517): RSA, EC and OKP keys
 * whose `use` is `sig` or absent, as `KeyObject`s with their `kid`. Node's
 * own JWK import does the parsing. Only the keys that can verify `algorithm`
 * (and whose `alg`, when given, names it) are kept.
 */
function signingKeysOf(set: unknown, algorithm: Algorithm): Array<{ kid: string | undefined; key: KeyObject }> {
  // JSON's null has no members; any other primitive has no `keys`.
  const keys = (set as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error("the key set has no 'keys' array");
  const found: Array<{ kid: string | undefined; key: KeyObject }> = [];
  for (const jwk of keys as Array<Record<string, unknown>>) {
    // A primitive has no `kty`: skipped here too.
    if (jwk === null || !SIGNING_KEY_TYPES.has(jwk.kty as string)) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.alg !== undefined && jwk.alg !== algorithm) continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      // A key Node cannot import cannot verify anything: skip it, as jwks-rsa does.
      continue;
    }
    // createPublicKey gives a public key, also of a JWK with private members. An X25519 key is OKP too,
    // but no signing key; a key of another type would fail every token anyway.
    if (!keyFitsAlgorithm(algorithm, key)) continue;
    found.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, key });
  }
  if (found.length === 0) throw new Error(`the key set contains no signing keys for ${algorithm}`);
  return found;
}

/**
 * The verifying keys of `jwkUrl`, fetched with Node's `fetch` and kept as
 * `KeyObject`s. `resolve()` is synchronous (the backend calls it while
 * decoding); `prepare()` fetches the set when a token's key is not known.
 * A key server that fails rejects with `ServiceUnavailable` (fail closed).
 */
export class JwksKeyProvider {
  private byKid = new Map<string, KeyObject>();
  private all: KeyObject[] = [];
  /** When the set was last fetched, in ms; -Infinity before the first fetch (stale, and no cooldown). */
  private fetchedAt = -Infinity;
  private pending: Promise<void> | null = null;
  private readonly url: string;
  private readonly now: () => Date;
  private readonly algorithm: Algorithm;

  /** `algorithm`: only the keys that verify it are kept. `now`: the instance's clock. */
  constructor(url: string, now: () => Date, algorithm: Algorithm) {
    this.url = url;
    this.now = now;
    this.algorithm = algorithm;
  }

  /** The cached key for a token header, or undefined (unknown kid, or the set is stale). */
  resolve(header: JwtHeader): KeyObject | undefined {
    if (this.now().getTime() - this.fetchedAt >= JWKS_CACHE_MAX_AGE * 1000) return undefined;
    if (typeof header.kid === 'string') return this.byKid.get(header.kid);
    // No kid: only an unambiguous set of one key will do (as jwks-rsa).
    return header.kid === undefined && this.all.length === 1 ? this.all[0] : undefined;
  }

  /** Fetches the key set unless the token's key is cached or a fetch just happened. */
  async prepare(token: string): Promise<void> {
    // Not a JWT: nothing to fetch, decoding will refuse it.
    const header = readJws(token)?.header as JwtHeader | undefined;
    if (!header || this.resolve(header)) return;
    if (this.now().getTime() - this.fetchedAt < JWKS_COOLDOWN * 1000) return;
    this.pending ??= this.fetch().finally(() => {
      this.pending = null;
    });
    await this.pending;
  }

  private async fetch(): Promise<void> {
    let keys: Array<{ kid: string | undefined; key: KeyObject }>;
    try {
      const res = await fetch(this.url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`the key server answered HTTP ${res.status}`);
      keys = signingKeysOf(await res.json(), this.algorithm);
    } catch (err) {
      // No usable key set, whatever the reason: nothing can be verified, so fail closed.
      throw new ServiceUnavailable(undefined, new Error(`passport-simplejwt: cannot get the key set of 'jwkUrl' (${this.url})`, { cause: err }));
    }
    const byKid = new Map<string, KeyObject>();
    for (const { kid, key } of keys) if (kid !== undefined) byKid.set(kid, key);
    this.byKid = byKid;
    this.all = keys.map(({ key }) => key);
    this.fetchedAt = this.now().getTime();
  }
}
