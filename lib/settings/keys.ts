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

/** The smallest RSA modulus accepted, in bits (RFC 7518 section 3.3). */
const MIN_RSA_KEY_BITS = 2048;

/** Whether an asymmetric key is of the type the algorithm signs with (RSA for RS/PS, the right curve for ES, Ed25519 for EdDSA). */
export function keyFitsAlgorithm(algorithm: Algorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  const family = algorithm.slice(0, 2);
  if (family === 'RS') return type === 'rsa';
  if (family === 'PS') return type === 'rsa' || type === 'rsa-pss';
  if (family === 'ES') return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVES[algorithm];
  if (family === 'Ed') return type === 'ed25519';
  return false;
}

/** Throws unless an asymmetric key suits the algorithm (RSA of 2048 bits or more for RS/PS, the right curve for ES, Ed25519 for EdDSA). */
function checkAsymmetric(algorithm: Algorithm, key: KeyObject, setting: string): void {
  const type = key.asymmetricKeyType;
  if (!keyFitsAlgorithm(algorithm, key)) {
    const what = type === 'ec' ? `an EC key on ${String(key.asymmetricKeyDetails?.namedCurve)}` : `a ${String(type)} key`;
    fail(`'${setting}' is ${what}, which cannot be used with ${algorithm}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if ((type === 'rsa' || type === 'rsa-pss') && bits < MIN_RSA_KEY_BITS) {
    // Refused here, at construction: a key RFC 7518 forbids never signs a token (jsonwebtoken refused it at every signing, a 500 per login).
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

/**
 * The keys of an instance, prepared: `signing` absent on a verify-only
 * instance; `unnamed` verifies tokens without `kid`; `byKid` the tokens
 * naming one (every `verifyingKeys` entry and the signing key's own kid).
 */
export interface KeyRing {
  readonly signing?: KeyObject;
  readonly signingKid?: string;
  readonly unnamed?: KeyObject;
  readonly byKid: ReadonlyMap<string, KeyObject>;
}

/** The key settings as given (see `KeySettings`), before any check. */
export interface KeyInputs {
  signingKey?: unknown;
  verifyingKey?: unknown;
  verifyingKeys?: unknown;
}

const empty = (k: unknown): boolean => k === undefined || k === null || k === '' || (Buffer.isBuffer(k) && k.length === 0);

/** A `{ kid, key }` entry checked: its kid a non-empty string, no other member. */
function keyWithId(value: unknown, setting: string): { kid: string; key: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`'${setting}' must be { kid, key }`);
  const entry = value as Record<string, unknown>;
  for (const member of Object.keys(entry))
    if (member !== 'kid' && member !== 'key') fail(`'${setting}' has an unknown member '${member}' (it takes { kid, key })`);
  if (typeof entry.kid !== 'string' || entry.kid === '') fail(`'${setting}.kid' must be a non-empty string`);
  if (empty(entry.key)) fail(`'${setting}.key' is required`);
  if (!isKeyInput(entry.key)) fail(`'${setting}.key' must be a string, a Buffer or a crypto.KeyObject`);
  return { kid: entry.kid, key: entry.key };
}

/** An HMAC secret checked as docs/keys.md asks: a secret, not shaped like a key, at least 32 bytes. */
function prepareSecret(algorithm: Algorithm, input: unknown, setting: string): KeyObject {
  const key = input instanceof KeyObject ? input : createSecretKey(Buffer.from(input as string | Buffer));
  if (key.type !== 'secret') fail(`'${setting}' must be a secret for ${algorithm}, not a ${key.type} key`);
  // A secret KeyObject too: createSecretKey() takes PEM or DER bytes as readily as a secret.
  const shape = keyShape(key.export());
  if (shape !== null) {
    fail(`'${setting}' is ${shape}, but ${algorithm} takes a shared secret: set 'algorithm' to RS*, ES* or PS* for a key pair`);
  }
  const bytes = key.symmetricKeySize ?? 0;
  if (bytes < MIN_HMAC_SECRET_BYTES) {
    fail(
      `'${setting}' is ${bytes} bytes: an ${algorithm} secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes (a short secret is brute-forced from a single token); generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
    );
  }
  return key;
}

/** A private key for signing, checked against the algorithm. */
function preparePrivate(algorithm: Algorithm, input: unknown, setting: string): KeyObject {
  let key: KeyObject;
  try {
    key = input instanceof KeyObject ? input : createPrivateKey(input as string | Buffer);
  } catch (err) {
    fail(`'${setting}' is not a valid private key for ${algorithm}: ${(err as Error).message}`);
  }
  if (key.type !== 'private') fail(`'${setting}' must be a private key for ${algorithm}`);
  checkAsymmetric(algorithm, key, setting);
  return key;
}

/** A verifying key: a public key, or the public half of a private one; never a secret. */
function preparePublic(algorithm: Algorithm, input: unknown, setting: string): KeyObject {
  if (input instanceof KeyObject && input.type === 'secret') {
    fail(`'${setting}' is a secret, but ${algorithm} verifies with a public key (or a private key, whose public half is used)`);
  }
  let key: KeyObject;
  try {
    // A private key (object or PEM) verifies as its public half.
    key = input instanceof KeyObject && input.type === 'public' ? input : createPublicKey(input as string | Buffer | KeyObject);
  } catch (err) {
    fail(`'${setting}' is not a valid public key for ${algorithm}: ${(err as Error).message}`);
  }
  checkAsymmetric(algorithm, key, setting);
  return key;
}

/**
 * Checks the key settings against the algorithm and turns them into
 * KeyObjects, once; throws a TypeError naming the bad one (`'signingKey'`,
 * `'verifyingKeys[1].kid'`, …).
 */
export function prepareKeys(algorithm: Algorithm, inputs: KeyInputs, jwkUrl: string | null): KeyRing {
  const { verifyingKey, verifyingKeys } = inputs;
  let signingKey = inputs.signingKey;
  let signingSetting = 'signingKey';
  let signingKid: string | undefined;
  if (!empty(signingKey) && !isKeyInput(signingKey) && typeof signingKey === 'object') {
    const entry = keyWithId(signingKey, 'signingKey');
    signingKid = entry.kid;
    signingKey = entry.key;
    signingSetting = 'signingKey.key';
  } else if (!empty(signingKey) && !isKeyInput(signingKey)) {
    fail(`'signingKey' must be a string, a Buffer or a crypto.KeyObject, or { kid, key }`);
  }
  if (!empty(verifyingKey) && !isKeyInput(verifyingKey)) fail(`'verifyingKey' must be a string, a Buffer or a crypto.KeyObject`);
  const entries: Array<{ kid: string; key: unknown }> = [];
  if (verifyingKeys !== undefined && verifyingKeys !== null) {
    if (!Array.isArray(verifyingKeys)) fail(`'verifyingKeys' must be an array of { kid, key }`);
    if (jwkUrl !== null && verifyingKeys.length > 0) fail(`'verifyingKeys' cannot be used with 'jwkUrl': the key set at the URL is the verifying keys`);
    (verifyingKeys as unknown[]).forEach((value, i) => entries.push(keyWithId(value, `verifyingKeys[${i}]`)));
  }
  const seen = new Map<string, number>();
  entries.forEach(({ kid }, i) => {
    const first = seen.get(kid);
    if (first !== undefined) fail(`'verifyingKeys[${i}].kid' '${kid}' is a duplicate of 'verifyingKeys[${first}].kid': each key needs its own kid`);
    seen.set(kid, i);
  });

  const hmac = isHmac(algorithm);
  if (hmac && empty(signingKey)) fail(`'signingKey' is required for ${algorithm}`);
  const signing = empty(signingKey)
    ? undefined
    : hmac
      ? prepareSecret(algorithm, signingKey, signingSetting)
      : preparePrivate(algorithm, signingKey, signingSetting);
  const byKid = new Map<string, KeyObject>();
  const signingVerifier = signing && (hmac ? signing : createPublicKey(signing));
  if (signingKid !== undefined && signingVerifier) byKid.set(signingKid, signingVerifier);
  entries.forEach(({ kid, key }, i) => {
    const setting = `verifyingKeys[${i}].key`;
    const prepared = hmac ? prepareSecret(algorithm, key, setting) : preparePublic(algorithm, key, setting);
    const own = byKid.get(kid);
    // The signing key listed again under its own kid is fine; another key under that kid would fail every token we sign.
    if (own && !own.equals(prepared)) fail(`'verifyingKeys[${i}].kid' '${kid}' is the kid of 'signingKey', but the key is another one`);
    byKid.set(kid, prepared);
  });
  let unnamed: KeyObject | undefined;
  if (hmac) {
    // HS*: the signing secret verifies tokens without kid, as Simple JWT's; `verifyingKey` only when the signing key is named.
    unnamed = signingKid === undefined ? signing : empty(verifyingKey) ? undefined : prepareSecret(algorithm, verifyingKey, 'verifyingKey');
  } else {
    unnamed = !empty(verifyingKey) ? preparePublic(algorithm, verifyingKey, 'verifyingKey') : signingKid === undefined ? signingVerifier : undefined;
  }
  if (!signing && !unnamed && byKid.size === 0 && !jwkUrl) {
    fail(`'signingKey' (a private key) or 'verifyingKey' or 'jwkUrl' is required for ${algorithm}`);
  }
  return { signing, signingKid, unnamed, byKid };
}
