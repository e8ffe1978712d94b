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
   * With `sessionUsedAt`, the winner's session (the successor's family) is
   * marked used at that time in the same transaction (as `SessionApp.touch`).
   */
  rotate(token: StoredToken, successor: StoredToken, deadline: number, sessionUsedAt?: Date): Promise<boolean>;
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

/** What storage records about a session when it starts (a login). */
export interface SessionStart {
  /** The family id (the session's id). */
  readonly familyId: string;
  /** When the login happened. */
  readonly createdAt: Date;
  /** The client's `User-Agent`, cut to 256 characters, or null. */
  readonly userAgent: string | null;
  /** The client address (Express's `req.ip`), or null. */
  readonly ip: string | null;
}

/** One session (a live token family) as storage reads it. */
export interface SessionRecord {
  /** The family id. */
  familyId: string;
  /** When the family started. */
  createdAt: Date;
  /** The last coalesced refresh (at most a minute old), else `createdAt`. */
  lastUsedAt: Date;
  /** When the family expires; null when it never does. */
  expiresAt: Date | null;
  /** The client's `User-Agent` at login, or null (a family started elsewhere, e.g. by a Django service). */
  userAgent: string | null;
  /** The client address at login, or null. */
  ip: string | null;
}

/**
 * The session metadata of the family app (this package's side table, not
 * Simple JWT's): when each family was created and last used, from which user
 * agent and address. The families themselves and their blacklist are the
 * family app's (`FamilyApp`).
 */
export interface SessionApp {
  /** Records the metadata of a family just created (at login). */
  start(session: SessionStart): Promise<void>;
  /** Marks the families as used at `at`, skipping any marked less than `SESSION_TOUCH_INTERVAL` seconds before it (one write a minute per session). */
  touch(familyIds: readonly string[], at: Date): Promise<void>;
  /** The user's live sessions (family neither blacklisted nor expired at `now`), most recently used first; `familyId` narrows to that one. */
  list(userId: string, now: Date, familyId?: string): Promise<SessionRecord[]>;
}
