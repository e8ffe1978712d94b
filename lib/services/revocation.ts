import type {
  BlacklistApp,
  BlacklistedTokenFamilyRecord,
  BlacklistedTokenRecord,
  FamilyApp,
  OutstandingTokenRecord,
  TokenRotationRecord,
  TokenState,
} from '../types/apps';
import type { BlacklistCache } from '../types/blacklist-cache';
import { failClosed } from '../storage/fail-closed';
import type { ResolvedSettings } from '../settings';
import type { AppStorage } from '../storage';
import { deadlineIn } from '../storage/deadline';
import type { Token, TokenRevocation } from '../tokens/token';
import { storedToken, storedUserId } from './stored-token';

/** What the revocation service is built from (`SimpleJWT` passes its own). */
export interface RevocationDeps {
  readonly settings: ResolvedSettings;
  /** Where blacklisted jtis and families are remembered (positive entries only). */
  readonly cache: BlacklistCache;
  /** The instance's clock. */
  now(): Date;
  /** The apps' storage, made on first use (with its `tokenState`: see `withTokenState`). */
  apps(): ResolvedAppStorage;
  /** Bounds storage work by `storageTimeout` (a late or failing answer is `ServiceUnavailable`). */
  storage<T>(work: Promise<T>): Promise<T>;
  /** When a rotation should also mark its session used (the sessions service's coalescing), or null. */
  sessionUsedAt?(familyId: string | null): Date | null;
}

/** One kind of cached blacklist answer: its key prefix and time to live (seconds). */
interface CacheSlot {
  prefix: string;
  ttl: number;
}

/** What storage holds about a token it knows nothing of. */
export const NOTHING_STORED: TokenState = Object.freeze({ blacklisted: false, familyBlacklisted: false, rotation: null });

/** An `AppStorage` whose `tokenState` is there (`withTokenState` makes one of any). */
export type ResolvedAppStorage = AppStorage & Required<Pick<AppStorage, 'tokenState'>>;

/**
 * `storage` as the revocation service reads it: its own `tokenState`, or,
 * for a storage without one, a `tokenState` made once of its two checks
 * (the blacklist, then the family unless the jti is blacklisted; no
 * rotation). `sj.useApps()` applies it, so there is one lookup path.
 */
export function withTokenState(storage: AppStorage): ResolvedAppStorage {
  if (storage.tokenState) return storage as ResolvedAppStorage;
  const { blacklist, family, sessions } = storage;
  return {
    blacklist,
    family,
    ...(sessions && { sessions }),
    async tokenState(jti, familyId) {
      const blacklisted = jti !== null && (await blacklist.isBlacklisted(jti));
      const familyBlacklisted = !blacklisted && familyId !== null && (await family.isFamilyBlacklisted(familyId));
      return { blacklisted, familyBlacklisted, rotation: null };
    },
  };
}

/**
 * The blacklist and family apps as the request path uses them: whether a
 * token or a family is revoked (the cache's positive entries first, then
 * storage: one lookup path), recording, blacklisting and rotating tokens.
 * Every call is bounded by `storageTimeout`; with an app off its
 * operations throw a `TypeError` that names the setting.
 */
export class Revocation implements TokenRevocation {
  private readonly settings: ResolvedSettings;
  private readonly deps: RevocationDeps;
  /** Null when that cache setting is off. */
  private readonly tokenSlot: CacheSlot | null;
  private readonly familySlot: CacheSlot | null;

  constructor(deps: RevocationDeps) {
    this.deps = deps;
    const settings = (this.settings = deps.settings);
    this.tokenSlot = settings.cacheBlacklistedRefreshTokens
      ? { prefix: settings.cacheKeyPrefixBlacklistedRefreshTokens, ttl: settings.cacheTtlBlacklistedRefreshTokens }
      : null;
    this.familySlot = settings.cacheBlacklistedFamilies
      ? { prefix: settings.cacheKeyPrefixBlacklistedFamilies, ttl: settings.cacheTtlBlacklistedFamilies }
      : null;
  }

  /** The blacklist app's storage; throws when the app is off. */
  get blacklistApp(): BlacklistApp {
    if (!this.settings.apps.blacklist) throw new TypeError('passport-simplejwt: the blacklist app is not enabled (apps: { blacklist: true })');
    return this.deps.apps().blacklist;
  }

  /** The family app's storage; throws when the app is off. */
  get familyApp(): FamilyApp {
    if (!this.settings.apps.tokenFamily) throw new TypeError('passport-simplejwt: the token family app is not enabled (apps: { tokenFamily: true })');
    return this.deps.apps().family;
  }

  // ---- is it revoked? ------------------------------------------------------

  /**
   * What storage holds about a presented token, for the apps that are on:
   * whether `jti` is blacklisted (null: not asked), whether `familyId` is
   * (null: not asked), and the rotation that consumed it: the cache's
   * positive entries first, then storage's `tokenState`, in one round trip.
   * The one lookup path: the validation service's `tokenState(token)`,
   * `isBlacklisted` and `isFamilyBlacklisted` all read through it.
   */
  tokenState(jti: string | null, familyId: string | null): Promise<TokenState> {
    return this.deps.storage(this.readTokenState(jti, familyId));
  }

  /** Whether a jti is blacklisted (`tokenState` of the jti alone); throws when the blacklist app is off. */
  async isBlacklisted(jti: string): Promise<boolean> {
    void this.blacklistApp;
    return (await this.tokenState(jti, null)).blacklisted;
  }

  /** Whether a family is blacklisted (`tokenState` of the family alone); throws when the family app is off. */
  async isFamilyBlacklisted(familyId: string): Promise<boolean> {
    void this.familyApp;
    return (await this.tokenState(null, familyId)).familyBlacklisted;
  }

  private async readTokenState(jti: string | null, familyId: string | null): Promise<TokenState> {
    const tokenSlot = jti === null ? null : this.tokenSlot;
    const familySlot = familyId === null ? null : this.familySlot;
    if (tokenSlot && (await this.cached(tokenSlot, jti!))) return { ...NOTHING_STORED, blacklisted: true };
    if (familySlot && (await this.cached(familySlot, familyId!))) {
      // The jti is still asked: a blacklisted jti is answered before its family.
      const state = jti === null ? NOTHING_STORED : await this.readTokenState(jti, null);
      return { ...state, familyBlacklisted: true };
    }
    const apps = this.deps.apps();
    const askJti = jti !== null && this.settings.apps.blacklist ? jti : null;
    const askFamily = familyId !== null && this.settings.apps.tokenFamily ? familyId : null;
    if (askJti === null && askFamily === null) return NOTHING_STORED;
    const state = await failClosed(apps.tokenState(askJti, askFamily));
    // Already inside tokenState()'s deadline: no second timer.
    if (state.blacklisted) await this.cache(tokenSlot, jti!);
    if (state.familyBlacklisted) await this.cache(familySlot, familyId!);
    return state;
  }

  private cached(slot: CacheSlot, id: string): Promise<boolean> {
    return failClosed(this.deps.cache.has(`${slot.prefix}:${id}`));
  }

  /** Writes to the cache (when that cache is on) that `id` is blacklisted; callers bound it with `storage()`. */
  private async cache(slot: CacheSlot | null, id: string): Promise<void> {
    if (slot) await failClosed(this.deps.cache.set(`${slot.prefix}:${id}`, slot.ttl));
  }

  /** Remembers in the cache (when that cache is on) that `id` is blacklisted, within `storageTimeout`. */
  private async remember(slot: CacheSlot | null, id: string): Promise<void> {
    if (slot) await this.deps.storage(this.cache(slot, id));
  }

  // ---- recording and revoking -----------------------------------------------

  /** Storage work made of values computed first (a token that cannot be stored rejects like a failing write), within `storageTimeout`. */
  private write<T>(work: () => Promise<T>): Promise<T> {
    return this.deps.storage(Promise.resolve().then(work));
  }

  /** Records `token` as outstanding: `[row, created]`, or null without touching storage when the blacklist app is off. */
  async outstand(token: Token): Promise<[OutstandingTokenRecord, boolean] | null> {
    if (!this.settings.apps.blacklist) return null;
    const app = this.blacklistApp;
    return this.write(() => app.outstand(storedToken(token)));
  }

  /** Blacklists a token (idempotent) and remembers it in the cache. Resolves to `[BlacklistedToken, created]`. */
  async blacklist(token: Token): Promise<[BlacklistedTokenRecord, boolean]> {
    const app = this.blacklistApp;
    const result = await this.write(() => app.blacklist(storedToken(token)));
    await this.remember(this.tokenSlot, token.jti());
    return result;
  }

  /** Records the family `token` starts (its `family_id` and user id claims, from when it was made; `expiresAt`: null for none), within `storageTimeout`. */
  async createFamily(token: Token, expiresAt: Date | null): Promise<void> {
    const app = this.familyApp;
    const familyId = token.getFamilyId();
    if (familyId === null) throw new TypeError('passport-simplejwt: createFamily() needs a token with a family id');
    await this.deps.storage(app.createFamily(familyId, storedUserId(token.get(this.settings.userIdClaim)), token.currentTime, expiresAt));
  }

  /** Blacklists the family `familyId` of `token` (idempotent) and remembers it in the cache. */
  async blacklistFamily(token: Token, familyId: string): Promise<[BlacklistedTokenFamilyRecord, boolean]> {
    return this.blacklistFamilyId(familyId, storedUserId(token.get(this.settings.userIdClaim)), token.getFamilyExpirationDate());
  }

  /** Blacklists the family `familyId` (idempotent; `userId` and `expiresAt` only for a family not recorded yet) and remembers it in the cache. */
  async blacklistFamilyId(familyId: string, userId: string | null, expiresAt: Date | null): Promise<[BlacklistedTokenFamilyRecord, boolean]> {
    const result = await this.deps.storage(this.familyApp.blacklistFamily(familyId, userId, expiresAt));
    await this.remember(this.familySlot, familyId);
    return result;
  }

  /**
   * Consumes `token` for rotation in one atomic step of the blacklist app
   * (blacklisted, `successor` recorded, the pair recorded for the reuse
   * interval). True for the one caller that consumed it, false when it had
   * already been consumed. `deadline` (epoch ms): the request's, by default
   * `storageTimeout` from now.
   */
  async rotate(token: Token, successor: Token, deadline = deadlineIn(this.settings.storageTimeout * 1000)): Promise<boolean> {
    const app = this.blacklistApp;
    // The group commit never runs, or rolls back, a rotation past this deadline: a 503 here commits nothing.
    const sessionUsedAt = this.deps.sessionUsedAt?.(successor.getFamilyId()) ?? undefined;
    const consumed = await this.write(() => app.rotate(storedToken(token), storedToken(successor), deadline, sessionUsedAt));
    await this.remember(this.tokenSlot, token.jti());
    return consumed;
  }

  /** The rotation recorded for a consumed token, or null. */
  successorOf(jti: string): Promise<TokenRotationRecord | null> {
    return this.deps.storage(this.blacklistApp.successorOf(jti));
  }

  /** Blacklists every unexpired outstanding token and family of the user; resolves to the numbers newly blacklisted. */
  async blacklistAllForUser(userId: string | number): Promise<{ tokens: number; families: number }> {
    const { apps } = this.settings;
    if (!apps.blacklist && !apps.tokenFamily) {
      throw new TypeError('passport-simplejwt: blacklistAllForUser() needs the blacklist or token family app (apps: { blacklist: true })');
    }
    const id = storedUserId(userId)!;
    const now = this.deps.now();
    // Each within storageTimeout, as every call of this service.
    const families = apps.tokenFamily ? await this.deps.storage(this.familyApp.blacklistUserFamilies(id, now)) : 0;
    const tokens = apps.blacklist ? await this.deps.storage(this.blacklistApp.blacklistUser(id, now)) : 0;
    return { tokens, families };
  }
}
