import { createHash } from 'node:crypto';
import type { StoredToken } from '../types/apps';
import type { Token } from '../tokens/token';

/**
 * A user id as storage keeps it (the nullable `user_id` columns): null for
 * none (absent or null), else its string. The one rule for every write:
 * outstanding rows, rotations, families and "log out everywhere".
 */
export function storedUserId(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

/**
 * The value storage records for `token` (its outstanding row): built here
 * and nowhere else, so storage never reads a token itself. Throws a
 * `TypeError` for a token without a numeric `exp` (it cannot be recorded).
 */
export function storedToken(token: Token): StoredToken {
  const exp = token.get<unknown>('exp');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TypeError("passport-simplejwt: cannot record a token without a numeric 'exp' claim");
  return {
    jti: token.jti(),
    userId: storedUserId(token.get(token.sj.settings.userIdClaim)),
    familyId: token.getFamilyId(),
    token: storedTokenString(token.token ?? token.toString(), token.sj.settings.outstandingTokenStorage === 'hash'),
    createdAt: token.currentTime,
    expiresAt: new Date(exp * 1000),
  };
}

/**
 * The `token` column's value for an encoded token: the token itself, or with
 * `outstandingTokenStorage: 'hash'` `sha256:<hex>` of it (no working token at rest).
 */
export function storedTokenString(encoded: string, hash: boolean): string {
  return hash ? `sha256:${createHash('sha256').update(encoded).digest('hex')}` : encoded;
}
