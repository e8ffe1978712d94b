// The JWS layer of verification for every algorithm, on node:crypto in one
// pass (issue #25): the compact form, the pinned `alg`, the signature. The
// header is parsed once, the payload once and only after the signature holds.
// The backend applies the claim checks (lib/backend/index.ts).
import { constants, createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { Algorithm } from '../settings';

/** A compact JWS whose three parts are base64url text. */
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** The length of an Ed25519 signature in bytes. */
const ED25519_SIGNATURE_BYTES = 64;

/** Checks `signature` over `input` (the ASCII `header.payload`) with `key`. */
export type SignatureCheck = (input: string, signature: Buffer, key: KeyObject) => boolean;

/** The signature check of a pinned algorithm, made once per backend (as jwa's verifiers, without their string round trips). */
export function signatureCheck(algorithm: Algorithm): SignatureCheck {
  if (algorithm === 'EdDSA') {
    return (input, signature, key) => signature.length === ED25519_SIGNATURE_BYTES && verify(null, Buffer.from(input, 'latin1'), key, signature);
  }
  const hash = `sha${algorithm.slice(2)}`;
  switch (algorithm.slice(0, 2)) {
    case 'HS':
      return (input, signature, key) => {
        const mac = createHmac(hash, key).update(input, 'latin1').digest();
        return mac.length === signature.length && timingSafeEqual(mac, signature);
      };
    case 'PS':
      return (input, signature, key) =>
        verify(hash, Buffer.from(input, 'latin1'), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    case 'ES':
      // JOSE's r || s (IEEE P1363), not DER; a wrong length fails.
      return (input, signature, key) => verify(hash, Buffer.from(input, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, signature);
    default:
      return (input, signature, key) => verify(hash, Buffer.from(input, 'latin1'), key, signature);
  }
}

/** What `verifyJws` found: the header and payload, or why it refused. */
export type JwsResult =
  | { ok: true; header: Record<string, unknown>; payload: unknown }
  | { ok: false; reason: 'malformed' | 'algorithm' | 'signature'; header?: Record<string, unknown> };

/** JSON parsed from base64url text; undefined when it is not JSON. */
function parsePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

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
  const parsed = parsePart(token.slice(0, first));
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'algorithm' };
  const header = parsed as Record<string, unknown>;
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
