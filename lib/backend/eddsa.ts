// EdDSA (Ed25519, RFC 8037) signing with node:crypto: jsonwebtoken 9 cannot
// sign it. Every algorithm, EdDSA included, is verified by lib/backend/jws.ts.
import { sign, type KeyObject } from 'node:crypto';

/** Signs `payloadJson` under an already encoded header: `header.payload.signature`. */
export function signEdDSA(encodedHeader: string, payloadJson: string, key: KeyObject): string {
  const input = `${encodedHeader}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}
