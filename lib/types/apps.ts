/**
 * A token as storage records it (its outstanding row): values, built once
 * by the revocation service (`storedToken()` of `lib/services/stored-token.ts`),
 * so storage never reads a token's claims itself.
 */
export interface StoredToken {
  /** The jti claim. */
  readonly jti: string;
  /** The user id claim as a string (`user_id`), or null when the token has none. */
  readonly userId: string | null;
  /** The `family_id` claim, or null. */
  readonly familyId: string | null;
  /** The encoded token (`token`). */
  readonly token: string;
  /** When the token object was made (`created_at`). */
  readonly createdAt: Date;
  /** Its `exp` (`expires_at`). */
  readonly expiresAt: Date;
}

/**
 * What storage holds about one presented token, answered in one round trip
 * for the apps that are on: the checks a refresh needs before it can answer.
 */
export interface TokenState {
  /** The jti is blacklisted (false when the blacklist app is off or no jti was asked). */
  blacklisted: boolean;
  /** The family is blacklisted (false when the family app is off or no family was asked). */
  familyBlacklisted: boolean;
  /** The rotation that consumed the token, when there was one (for the reuse interval). */
  rotation: TokenRotationRecord | null;
}

/**
 * What the token classes need from the blacklist app (Simple JWT's
 * `token_blacklist`). The Sequelize implementation lives in `models/`; the
 * token layer only sees this seam, so with the app off nothing touches a database.
 */
export interface BlacklistApp {
  /** Records a token as outstanding (get-or-create by jti). Resolves to `[row, created]`. */
  outstand(token: StoredToken): Promise<[OutstandingTokenRecord, boolean]>;
  /** Whether the jti is blacklisted. */
  isBlacklisted(jti: string): Promise<boolean>;
  /** Blacklists a token, recording it as outstanding first if needed. Idempotent. */
  blacklist(token: StoredToken): Promise<[BlacklistedTokenRecord, boolean]>;
  /** Blacklists every outstanding token of the user that expires after `now` (for `sj.revocation.blacklistAllForUser()`). Resolves to the number newly blacklisted. */
  blacklistUser(userId: string, now: Date): Promise<number>;
  /**
   * Rotation in one atomic step: blacklists `token`, records `successor` as
   * outstanding and records the pair (for the reuse interval), all or
   * nothing. Resolves to true for the one call that consumed `token`, false
   * when it was already consumed (then nothing is written). The database
   * decides (a unique constraint), so concurrent callers in several
   * processes agree on one winner. A rotation not committed by `deadline`
   * (epoch milliseconds, the request's) is never run or is rolled back, and rejects.
   */
  rotate(token: StoredToken, successor: StoredToken, deadline: number): Promise<boolean>;
  /** The rotation recorded for the token with this jti (see `rotate()`), or null. */
  successorOf(jti: string): Promise<TokenRotationRecord | null>;
}

/** What the blacklist app recorded when a refresh token was rotated. */
export interface TokenRotationRecord {
  /** The successor's encoded token, as stored in its outstanding row. */
  successor: string;
  /** When the rotation happened. */
  rotatedAt: Date;
  /** Whether the successor was rotated in turn (the presented token is then older than the immediate predecessor). */
  successorRotated: boolean;
}

/** What the token classes need from the token family app. */
export interface FamilyApp {
  /** Records a new family. */
  createFamily(familyId: string, userId: string | null, createdAt: Date, expiresAt: Date | null): Promise<void>;
  /** Whether the family is blacklisted. */
  isFamilyBlacklisted(familyId: string): Promise<boolean>;
  /** Blacklists a family (creating its TokenFamily row if missing). Idempotent. */
  blacklistFamily(familyId: string, userId: string | null, expiresAt: Date | null): Promise<[BlacklistedTokenFamilyRecord, boolean]>;
  /** Blacklists every family of the user that has not expired at `now` (for `sj.revocation.blacklistAllForUser()`). Resolves to the number newly blacklisted. */
  blacklistUserFamilies(userId: string, now: Date): Promise<number>;
}

/** A row of `token_blacklist_outstandingtoken`. */
export interface OutstandingTokenRecord {
  id: number | string;
  user_id: string | null;
  jti: string;
  token: string;
  created_at: Date | null;
  expires_at: Date;
}

/** A row of `token_blacklist_blacklistedtoken`. */
export interface BlacklistedTokenRecord {
  id: number | string;
  token_id: number | string;
  blacklisted_at: Date;
}

/** A row of `token_family_blacklistedtokenfamily`. */
export interface BlacklistedTokenFamilyRecord {
  id: number | string;
  family_id: number | string;
  blacklisted_at: Date;
}
