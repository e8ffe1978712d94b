import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A key pair as PEM strings and KeyObjects. */
export interface TestKeyPair {
  privatePem: string;
  publicPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const cache = new Map<string, TestKeyPair>();

/** Generates (once per process and kind) an RSA 2048 or EC key pair for the tests. */
export function keyPair(kind: 'rsa' | 'P-256' | 'P-384' | 'P-521' | 'rsa-b' = 'rsa'): TestKeyPair {
  let pair = cache.get(kind);
  if (!pair) {
    const { privateKey, publicKey } = kind.startsWith('rsa')
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: kind });
    pair = {
      privateKey,
      publicKey,
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    cache.set(kind, pair);
  }
  return pair;
}

/** A self-signed X.509 certificate (EC P-256, CN "passport-simplejwt test"), made once with openssl: Node cannot make one. */
export const CERTIFICATE_PEM = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUClmkG57WiTWjCesK7MlxPYsAluIwCgYIKoZIzj0EAwIw
IjEgMB4GA1UEAwwXcGFzc3BvcnQtc2ltcGxland0IHRlc3QwIBcNMjYxMjA3MDU0
OTM3WhgPMjEyNjExMTMwNTQ5MzdaMCIxIDAeBgNVBAMMF3Bhc3Nwb3J0LXNpbXBs
ZWp3dCB0ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbKAsFAl7DV6Z36m6
XTKvHLU/M4yqI1Q0sRvnsivEGgpj7MDkNmkqwS6BC1aihxjb1Xyl3olllTka+c0A
HYELMqNTMFEwHQYDVR0OBBYEFLn7vW9f0FXUwn5zA2+0jgDA+eXvMB8GA1UdIwQY
MBaAFLn7vW9f0FXUwn5zA2+0jgDA+eXvMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSAAwRQIgb4EOCMz1SwvZrzFY5+0VAriooqZLu9KrVLbKbsrOiv8CIQDb
y5YBWvOKLqD9nm3WS303U+A8ebkQZQQQSMEkliMOIw==
-----END CERTIFICATE-----
`;

/** An Ed25519 key pair (EdDSA), made once per process and name. */
export function ed25519Pair(name: 'a' | 'b' = 'a'): TestKeyPair {
  let pair = cache.get(`ed25519-${name}`);
  if (!pair) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    pair = {
      privateKey,
      publicKey,
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    cache.set(`ed25519-${name}`, pair);
  }
  return pair;
}

/** The header of an encoded token, parsed. */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
}
