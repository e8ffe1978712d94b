// Settings: the one table of them (./settings/schema.ts), their public types
// and docs (./settings/options.ts), and the constructor's resolution of them.
import { fail } from './parse';
import { unknownSettingHint } from './suggest';
import { KNOWN_SETTINGS, REMOVED_SETTINGS, RULES, SETTINGS, type GivenSetting, type ResolvedSetting, type ResolvedSettings } from './schema';
import type { Algorithm } from './options';

export * from './options';
export type { ResolvedSettings } from './schema';
export { normaliseHeaderName } from './parse';

/** A default of the table as each instance gets it: its own copy of a list or an object. */
function copyOf<T>(value: T): T {
  if (Array.isArray(value)) return [...value] as T;
  return value !== null && typeof value === 'object' ? { ...value } : value;
}

/**
 * Applies defaults and validates every setting, then the rules between them;
 * throws a TypeError naming the bad one.
 *
 * @example
 * resolveSettings({ signingKey: secret, accessTokenLifetime: '10m' }).accessTokenLifetime; // 600
 */
export function resolveSettings(input: unknown): ResolvedSettings {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail('options must be an object');
  const options = input as Record<string, unknown>;

  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(REMOVED_SETTINGS, key)) fail(`the '${key}' setting has been removed: ${REMOVED_SETTINGS[key]}`);
    if (!KNOWN_SETTINGS.has(key)) fail(`unknown setting '${key}'${unknownSettingHint(key, KNOWN_SETTINGS, REMOVED_SETTINGS)}`);
  }

  const settings: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as Array<[string, ResolvedSetting<unknown> | GivenSetting]>) {
    const value = options[name];
    if ('parse' in setting) settings[name] = value === undefined ? copyOf(setting.default) : setting.parse(value, name);
    else if (value !== undefined) setting.check?.(value, name);
  }
  const resolved = settings as ResolvedSettings;
  for (const rule of RULES) rule(resolved, options);
  return resolved;
}

/** HMAC secrets shorter than the hash output are weaker than the algorithm (RFC 7518, section 3.2). */
const HMAC_HASH_BYTES: Readonly<Partial<Record<Algorithm, number>>> = { HS384: 48, HS512: 64 };

/** The warnings about the signing key alone: an HMAC secret shorter than its hash (also after `sj.setKeys()`). */
export function keyWarnings(settings: ResolvedSettings, hmacSecretBytes: number | null): string[] {
  const hashBytes = HMAC_HASH_BYTES[settings.algorithm];
  if (hmacSecretBytes !== null && hashBytes !== undefined && hmacSecretBytes < hashBytes) {
    return [
      `passport-simplejwt: 'signingKey' is ${hmacSecretBytes} bytes, shorter than the ${hashBytes}-byte hash of ${settings.algorithm} (RFC 7518, section 3.2): use a secret of at least ${hashBytes} bytes`,
    ];
  }
  return [];
}

/**
 * What works but is weaker than it looks: an HMAC secret shorter than its
 * hash, a `leeway` longer than the access token lifetime. The instance
 * prints each once through `logger.warn`.
 */
export function configurationWarnings(settings: ResolvedSettings, hmacSecretBytes: number | null): string[] {
  const warnings = keyWarnings(settings, hmacSecretBytes);
  if (settings.leeway > settings.accessTokenLifetime) {
    warnings.push(
      `passport-simplejwt: 'leeway' (${settings.leeway} s) is longer than 'accessTokenLifetime' (${settings.accessTokenLifetime} s): expired access tokens stay valid for longer than they lived`,
    );
  }
  return warnings;
}
