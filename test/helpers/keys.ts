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
