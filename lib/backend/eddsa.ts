// EdDSA (Ed25519, RFC 8037) with node:crypto: jsonwebtoken 9 cannot sign or
// verify it. Only the JWS layer is here (compact form, signature); the backend
// applies the same claim checks as to every other algorithm.
import { sign, verify, type KeyObject } from 'node:crypto';

/** A compact JWS whose three parts are base64url text (as jws requires). */
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** The length of an Ed25519 signature in bytes. */
const ED25519_SIGNATURE_BYTES = 64;

/** Signs `payloadJson` under an already encoded header: `header.payload.signature`. */
export function signEdDSA(encodedHeader: string, payloadJson: string, key: KeyObject): string {
  const input = `${encodedHeader}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/** A JSON object parsed from base64url text, or null for anything else. */
function jsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What `verifyEdDSA` found: the header and payload, or why it refused. */
export type EdDSAResult =
  | { ok: true; header: Record<string, unknown>; payload: unknown }
  | { ok: false; reason: 'malformed' | 'algorithm' | 'signature'; header?: Record<string, unknown> };

/**
 * Checks a compact token's form, that its header names `EdDSA` (the
 * algorithm is pinned: `none` or any other fails), and its Ed25519
 * signature. The payload is parsed only once the signature holds.
 */
export function verifyEdDSA(token: string, key: KeyObject): EdDSAResult {
  if (!COMPACT.test(token) || key.asymmetricKeyType !== 'ed25519') return { ok: false, reason: 'malformed' };
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const header = jsonObject(token.slice(0, first));
  if (!header) return { ok: false, reason: 'malformed' };
  if (header.alg !== 'EdDSA') return { ok: false, reason: 'algorithm', header };
  const signature = Buffer.from(token.slice(last + 1), 'base64url');
  if (signature.length !== ED25519_SIGNATURE_BYTES || !verify(null, Buffer.from(token.slice(0, last)), key, signature)) {
    return { ok: false, reason: 'signature', header };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token.slice(first + 1, last), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed', header };
  }
  return { ok: true, header, payload };
}
