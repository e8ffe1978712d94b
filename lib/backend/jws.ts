// The JWS layer for every algorithm, on node:crypto: signing (issue #22: no
// jsonwebtoken at run time), reading a token without a check, and verifying
// in one pass (issue #25): the compact form, the pinned `alg`, the signature.
// The header is parsed once, the payload once and only after the signature
// holds. The backend applies the claim checks (lib/backend/index.ts).
import { constants, createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { Algorithm } from '../settings';

/** A compact JWS whose three parts are base64url text. */
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** The same with the signature optional: what jsonwebtoken's `decode` reads. */
const UNSIGNED_OR_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** The length of an Ed25519 signature in bytes. */
const ED25519_SIGNATURE_BYTES = 64;

/** How node:crypto signs and verifies one algorithm (RFC 7518 §3, RFC 8037): the one table the signer and the verifier share. */
interface Scheme {
  /** HS*: an HMAC with `hash`, not a signature. */
  readonly hmac: boolean;
  /** The digest; null for EdDSA, where Ed25519 hashes itself. */
  readonly hash: string | null;
  /** What node:crypto's `sign`/`verify` take beside the key; null when its defaults are the JOSE ones (RS*: PKCS #1 v1.5; EdDSA). */
  readonly options: { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } | null;
}

function schemeOf(algorithm: Algorithm): Scheme {
  if (algorithm === 'EdDSA') return { hmac: false, hash: null, options: null };
  const hash = `sha${algorithm.slice(2)}`;
  switch (algorithm.slice(0, 2)) {
    case 'HS':
      return { hmac: true, hash, options: null };
    case 'PS':
      // RFC 7518 §3.5: the salt as long as the digest.
      return { hmac: false, hash, options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } };
    case 'ES':
      // JOSE's r || s (IEEE P1363), not DER; a wrong length fails.
      return { hmac: false, hash, options: { dsaEncoding: 'ieee-p1363' } };
    default:
      return { hmac: false, hash, options: null };
  }
}

/** Signs `payloadJson` under an already encoded header (`alg`, `typ`, `kid`, in that order): the compact `header.payload.signature`. */
export type Signer = (encodedHeader: string, payloadJson: string, key: KeyObject) => string;

/**
 * The signer of an algorithm, made once per backend. For HS*, RS* and EdDSA
 * (deterministic) the token is byte for byte the one jsonwebtoken signed
 * with the same header and string payload
 * (test/lib/backend/sign.differential.test.ts); PS* and ES* are randomised.
 */
export function signer(algorithm: Algorithm): Signer {
  const { hmac, hash, options } = schemeOf(algorithm);
  const signature: (input: Buffer, key: KeyObject) => Buffer = hmac
    ? (input, key) =>
        createHmac(hash as string, key)
          .update(input)
          .digest()
    : (input, key) => sign(hash, input, options ? { key, ...options } : key);
  return (encodedHeader, payloadJson, key) => {
    const input = `${encodedHeader}.${Buffer.from(payloadJson).toString('base64url')}`;
    return `${input}.${signature(Buffer.from(input, 'latin1'), key).toString('base64url')}`;
  };
}

/** Checks `signature` over `input` (the ASCII `header.payload`) with `key`. */
export type SignatureCheck = (input: string, signature: Buffer, key: KeyObject) => boolean;

/** The signature check of a pinned algorithm, made once per backend (as jwa's verifiers, without their string round trips). */
export function signatureCheck(algorithm: Algorithm): SignatureCheck {
  const { hmac, hash, options } = schemeOf(algorithm);
  if (hmac) {
    return (input, signature, key) => {
      const mac = createHmac(hash as string, key)
        .update(input, 'latin1')
        .digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    };
  }
  const check: SignatureCheck = (input, signature, key) => verify(hash, Buffer.from(input, 'latin1'), options ? { key, ...options } : key, signature);
  if (algorithm !== 'EdDSA') return check;
  return (input, signature, key) => signature.length === ED25519_SIGNATURE_BYTES && check(input, signature, key);
}

/** JSON parsed from base64url text; undefined when it is not JSON. */
function parsePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The header text read last and what it parsed to (frozen): one issuer's tokens share one header. */
let lastHeader: { text: string; parsed: unknown } = { text: '', parsed: undefined };

/**
 * A token header's text parsed as `parsePart` does, the last object header remembered
 * (frozen: readers never change it). The key lookup, the JWKS fetch and the verifier all
 * read a request's header; only the first read of a new header text decodes it (issue #25).
 */
export function parseHeader(text: string): unknown {
  if (text === lastHeader.text) return lastHeader.parsed;
  const parsed = parsePart(text);
  if (isObject(parsed)) lastHeader = { text, parsed: Object.freeze(parsed) };
  return parsed;
}

/** A JSON object: not null, an array or a primitive. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A token's header and payload read without any check, for an unverified
 * decode or to pick the verifying key: undefined where jsonwebtoken's
 * `decode(token, { complete: true })` returned null or threw (not three
 * base64url parts, the signature may be empty; a header that is not JSON or
 * is falsy; a `typ: JWT` token whose payload is not JSON). The payload is
 * undefined when it is not JSON. Stricter than jsonwebtoken, as the verifier
 * and PyJWT: a header that is not a JSON object is no token, and the payload
 * is parsed once (jsonwebtoken parses a JSON string payload a second time).
 */
export function readJws(token: string): { header: Record<string, unknown>; payload: unknown } | undefined {
  if (!UNSIGNED_OR_COMPACT.test(token)) return undefined;
  const first = token.indexOf('.');
  const header = parseHeader(token.slice(0, first));
  if (!isObject(header)) return undefined;
  const payload = parsePart(token.slice(first + 1, token.lastIndexOf('.')));
  if (payload === undefined && header.typ === 'JWT') return undefined;
  return { header, payload };
}

/** What `verifyJws` found: the header and payload, or why it refused. */
export type JwsResult =
  | { ok: true; header: Record<string, unknown>; payload: unknown }
  | { ok: false; reason: 'malformed' | 'algorithm'; header?: Record<string, unknown> }
  | { ok: false; reason: 'signature'; header: Record<string, unknown> };

/**
 * Checks a compact token's form, that its header names `algorithm` (pinned:
 * `none` or any other fails), and its signature under `key`. In
 * jsonwebtoken's order (test/lib/backend/jws.differential.test.ts): a header
 * that is not JSON, or a falsy one, is malformed, and so is a `typ: JWT`
 * token whose payload is not JSON; any other header without the pinned
 * `alg` is the wrong algorithm; then the signature; then a payload that is
 * not JSON is malformed.
 */
export function verifyJws(token: string, algorithm: Algorithm, check: SignatureCheck, key: KeyObject): JwsResult {
  if (!COMPACT.test(token)) return { ok: false, reason: 'malformed' };
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const parsed = parseHeader(token.slice(0, first));
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (!isObject(parsed)) return { ok: false, reason: 'algorithm' };
  const header = parsed;
  // Parsed once, here: jsonwebtoken refuses a `typ: JWT` token whose payload is not JSON before it reads `alg`.
  const payload = parsePart(token.slice(first + 1, last));
  if (payload === undefined && header.typ === 'JWT') return { ok: false, reason: 'malformed', header };
  if (header.alg !== algorithm) return { ok: false, reason: 'algorithm', header };
  let valid: boolean;
  try {
    valid = check(token.slice(0, last), Buffer.from(token.slice(last + 1), 'base64url'), key);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'signature', header };
  if (payload === undefined) return { ok: false, reason: 'malformed', header };
  return { ok: true, header, payload };
}
