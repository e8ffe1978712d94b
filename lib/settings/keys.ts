// The key settings (`signingKey`, `verifyingKey`) with the algorithm: checked
// and turned into KeyObjects once, when the instance is built, so no request
// pays for parsing them. The token backend holds what this returns.
import { createPrivateKey, createPublicKey, createSecretKey, KeyObject, X509Certificate } from 'node:crypto';
import type { Algorithm, KeyInput } from './options';
import { fail } from './parse';

function isHmac(algorithm: Algorithm): boolean {
  return algorithm.startsWith('HS');
}

/** The curve each ES algorithm signs with. */
const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

function isKeyInput(key: unknown): key is KeyInput {
  return typeof key === 'string' || Buffer.isBuffer(key) || key instanceof KeyObject;
}

/** The smallest RSA modulus accepted, in bits (RFC 7518 section 3.3; jsonwebtoken refuses to sign with less). */
const MIN_RSA_KEY_BITS = 2048;

/** Throws unless an asymmetric key suits the algorithm (RSA of 2048 bits or more for RS/PS, the right curve for ES). */
function checkAsymmetric(algorithm: Algorithm, key: KeyObject, setting: string): void {
  const type = key.asymmetricKeyType;
  const family = algorithm.slice(0, 2);
  const ok =
    family === 'RS'
      ? type === 'rsa'
      : family === 'PS'
        ? type === 'rsa' || type === 'rsa-pss'
        : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVES[algorithm];
  if (!ok) {
    const what = type === 'ec' ? `an EC key on ${String(key.asymmetricKeyDetails?.namedCurve)}` : `a ${String(type)} key`;
    fail(`'${setting}' is ${what}, which cannot be used with ${algorithm}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if ((type === 'rsa' || type === 'rsa-pss') && bits < MIN_RSA_KEY_BITS) {
    // Refused here, not at the first signing: jsonwebtoken will not sign with it, so every login would be a 500.
    fail(`'${setting}' is a ${bits}-bit RSA key: ${algorithm} needs at least ${MIN_RSA_KEY_BITS} bits (RFC 7518 section 3.3)`);
  }
}

/** The shortest HMAC secret accepted, in bytes (the output size of SHA-256, RFC 7518 section 3.2). */
export const MIN_HMAC_SECRET_BYTES = 32;

/** PEM armour of any block (keys, certificates), in any case: OpenSSL reads `-----begin public key-----` too. */
const PEM_ARMOUR = /-----BEGIN [A-Z0-9 ]+-----/i;
/** An OpenSSH public key line (`ssh-rsa AAAA…`, `ssh-ed25519 …`, `ecdsa-sha2-nistp256 …`, the `sk-` forms). */
const SSH_KEY = /^(?:sk-)?(?:ssh-|ecdsa-sha2-)/i;
/** Text that could be base64 or base64url, possibly wrapped over lines. */
const BASE64_TEXT = /^[A-Za-z0-9+/_=\s-]+$/;

/** The DER forms node:crypto reads: public and private keys in every container, and certificates. */
const DER_PARSERS: ReadonlyArray<(der: Buffer) => unknown> = [
  (der) => createPublicKey({ key: der, format: 'der', type: 'spki' }),
  (der) => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
  (der) => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
  (der) => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
  (der) => createPrivateKey({ key: der, format: 'der', type: 'sec1' }),
  (der) => new X509Certificate(der),
];

/** Whether node:crypto reads `bytes` as a DER key or certificate (a random secret never parses). */
function isDer(bytes: Buffer): boolean {
  return DER_PARSERS.some((parse) => {
    try {
      parse(bytes);
      return true;
    } catch {
      return false;
    }
  });
}

function isJwk(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && 'kty' in parsed;
  } catch {
    return false;
  }
}

/**
 * What key an HMAC secret really is, for the message; null for a plausible
 * secret. Anything shaped like a key is refused: a public key used as an HMAC
 * secret lets anyone who has it sign tokens.
 */
function keyShape(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  if (PEM_ARMOUR.test(text)) return 'a PEM key or certificate';
  const trimmed = text.trim();
  if (SSH_KEY.test(trimmed)) return 'an SSH key';
  if (isJwk(trimmed)) return 'a JWK';
  if (isDer(bytes)) return 'a DER key or certificate';
  if (BASE64_TEXT.test(trimmed) && isDer(Buffer.from(trimmed, 'base64'))) return 'a DER key or certificate in base64';
  return null;
}

/** The keys of an instance, prepared: `signing` absent on a verify-only instance, `verifying` absent with only `jwkUrl`. */
export interface PreparedKeys {
  signing?: KeyObject;
  verifying?: KeyObject;
}

/** Checks the key settings against the algorithm and turns them into KeyObjects; throws a TypeError naming the bad one. */
export function prepareKeys(algorithm: Algorithm, signingKey: unknown, verifyingKey: unknown, jwkUrl: string | null): PreparedKeys {
  const empty = (k: unknown) => k === undefined || k === null || k === '' || (Buffer.isBuffer(k) && k.length === 0);
  for (const [setting, key] of [
    ['signingKey', signingKey],
    ['verifyingKey', verifyingKey],
  ] as const) {
    if (!empty(key) && !isKeyInput(key)) fail(`'${setting}' must be a string, a Buffer or a crypto.KeyObject`);
  }
  if (isHmac(algorithm)) {
    if (empty(signingKey)) fail(`'signingKey' is required for ${algorithm}`);
    const key = signingKey instanceof KeyObject ? signingKey : createSecretKey(Buffer.from(signingKey as string | Buffer));
    if (key.type !== 'secret') fail(`'signingKey' must be a secret for ${algorithm}, not a ${key.type} key`);
    // A secret KeyObject too: createSecretKey() takes PEM or DER bytes as readily as a secret.
    const shape = keyShape(key.export());
    if (shape !== null) {
      fail(`'signingKey' is ${shape}, but ${algorithm} takes a shared secret: set 'algorithm' to RS*, ES* or PS* for a key pair`);
    }
    const bytes = key.symmetricKeySize ?? 0;
    if (bytes < MIN_HMAC_SECRET_BYTES) {
      fail(
        `'signingKey' is ${bytes} bytes: an ${algorithm} secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes (a short secret is brute-forced from a single token); generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
      );
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
      verifying =
        verifyingKey instanceof KeyObject && verifyingKey.type === 'public' ? verifyingKey : createPublicKey(verifyingKey as string | Buffer | KeyObject);
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
