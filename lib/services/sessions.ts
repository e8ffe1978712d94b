import type { Request } from 'express';
import type { SessionApp, SessionRecord } from '../types/apps';
import { SESSION_TOUCH_INTERVAL, SESSION_USER_AGENT_MAX, type ResolvedSettings } from '../settings';
import { isStorableId, type Token } from '../tokens/token';
import type { ResolvedAppStorage, Revocation } from './revocation';
import { storedUserId } from './stored-token';

/**
 * One login session of a user: a token family, from the login on one
 * device until it is logged out, expires or is killed for reuse
 * (docs/sessions.md). `sj.sessions.list()` answers these; the sessions
 * router renders them as JSON.
 */
export interface Session {
  /** The session's id: its family id (the `family_id` claim). */
  id: string;
  /** When the user logged in. */
  createdAt: Date;
  /** The last refresh, recorded at most once a minute; `createdAt` before any. */
  lastUsedAt: Date;
  /** When the family expires (`tokenFamilyLifetime`); null when it never does. */
  expiresAt: Date | null;
  /** The login's `User-Agent` (at most 256 characters), or null when unknown. */
  userAgent: string | null;
  /** The login's client address (Express's `req.ip`, so `trust proxy` applies), or null when unknown. */
  ip: string | null;
  /** Whether this is the session of the token presented with the request. */
  current: boolean;
}

/** What the sessions service is built from (`SimpleJWT` passes its own). */
export interface SessionsDeps {
  readonly settings: ResolvedSettings;
  readonly revocation: Revocation;
  /** The instance's clock. */
  now(): Date;
  /** The apps' storage. */
  apps(): ResolvedAppStorage;
  /** Bounds storage work by `storageTimeout`. */
  storage<T>(work: Promise<T>): Promise<T>;
}

/** How many sessions the in-process coalescing of `lastUsedAt` remembers (the oldest is forgotten first). */
const TOUCH_MEMORY = 10_000;

/** The user agent a session keeps: at most `SESSION_USER_AGENT_MAX` characters (code points), or null. */
export function sessionUserAgent(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const chars = Array.from(value);
  return chars.length <= SESSION_USER_AGENT_MAX ? value : chars.slice(0, SESSION_USER_AGENT_MAX).join('');
}

/**
 * A user's login sessions (token families) with their devices: list them,
 * log one out, log out all the others (better-auth's `listSessions`,
 * `revokeSession`, `revokeOtherSessions`). Needs the token family app
 * (`tokenFamilyEnabled`, `apps.tokenFamily`); revoking a session blacklists
 * its family, so its refresh token answers 401 `Token family is
 * blacklisted` (and its access token too with `tokenFamilyCheckOnAccess`).
 * Another user's session is never seen nor touched: every method takes the
 * user id and a session of another user is as unknown as a made-up id.
 */
export class Sessions {
  private readonly deps: SessionsDeps;
  /** familyId → when its `lastUsedAt` was last written by this process (epoch ms), oldest first. */
  private readonly touched = new Map<string, number>();

  constructor(deps: SessionsDeps) {
    this.deps = deps;
  }

  /** Whether sessions are on: token families are (`tokenFamilyEnabled` and `apps.tokenFamily`). */
  get enabled(): boolean {
    const { tokenFamilyEnabled, apps } = this.deps.settings;
    return tokenFamilyEnabled && apps.tokenFamily;
  }

  /** The session metadata storage; throws a `TypeError` naming what is missing. */
  private get app(): SessionApp {
    if (!this.enabled) throw new TypeError("passport-simplejwt: sessions need token families ('tokenFamilyEnabled: true', 'apps: { tokenFamily: true }')");
    const { sessions } = this.deps.apps();
    if (!sessions) throw new TypeError('passport-simplejwt: the installed storage has no session metadata (AppStorage.sessions)');
    return sessions;
  }

  /**
   * The user's live sessions (neither revoked nor expired), the most
   * recently used first; `current` marks `currentSessionId` (the family id
   * of the token the request presented).
   *
   * @example
   * const sessions = await sj.sessions.list(req.user.id, token.getFamilyId());
   */
  async list(userId: string | number, currentSessionId: string | null = null): Promise<Session[]> {
    const app = this.app;
    const rows = await this.deps.storage(app.list(storedUserId(userId)!, this.deps.now()));
    return rows.map((row) => toSession(row, currentSessionId));
  }

  /**
   * Logs out one session of the user: blacklists its family. Resolves to
   * true when a live session of this user was revoked; false (nothing
   * changed) for an id that is not one: unknown, malformed, another
   * user's, already revoked or expired.
   *
   * @example
   * if (!(await sj.sessions.revoke(req.user.id, req.params.id))) res.status(404);
   */
  async revoke(userId: string | number, sessionId: string): Promise<boolean> {
    const app = this.app;
    if (!isStorableId(sessionId)) return false;
    const owner = storedUserId(userId)!;
    const [row] = await this.deps.storage(app.list(owner, this.deps.now(), sessionId));
    if (row === undefined) return false;
    await this.deps.revocation.blacklistFamilyId(row.familyId, owner, row.expiresAt);
    return true;
  }

  /**
   * Logs out every live session of the user except `currentSessionId`
   * ("log out other devices"); resolves to how many were revoked.
   *
   * @example
   * const { revoked } = { revoked: await sj.sessions.revokeOthers(req.user.id, token.getFamilyId()) };
   */
  async revokeOthers(userId: string | number, currentSessionId: string | null): Promise<number> {
    const app = this.app;
    const owner = storedUserId(userId)!;
    const rows = await this.deps.storage(app.list(owner, this.deps.now()));
    let revoked = 0;
    for (const row of rows) {
      if (row.familyId === currentSessionId) continue;
      if ((await this.deps.revocation.blacklistFamilyId(row.familyId, owner, row.expiresAt))[1]) revoked += 1;
    }
    return revoked;
  }

  /**
   * Records the session a login's refresh token starts (its user agent and
   * client address), then applies `maxSessionsPerUser`: the sessions beyond
   * the cap, least recently used first, are revoked. Does nothing when
   * sessions are off, the token has no family or storage keeps no metadata.
   * The login serializer calls it.
   */
  async start(refresh: Token, req?: Request): Promise<void> {
    if (!this.enabled) return;
    const familyId = refresh.getFamilyId();
    const { sessions } = this.deps.apps();
    if (familyId === null || !sessions) return;
    const userAgent = sessionUserAgent(req?.get('user-agent'));
    const ip = typeof req?.ip === 'string' && req.ip !== '' ? req.ip.slice(0, 64) : null;
    await this.deps.storage(sessions.start({ familyId, createdAt: refresh.currentTime, userAgent, ip }));
    this.remember(familyId, refresh.currentTime.getTime());
    const cap = this.deps.settings.maxSessionsPerUser;
    const owner = storedUserId(refresh.get(this.deps.settings.userIdClaim));
    if (cap === null || owner === null) return;
    // Every login orders the sessions the same way (last use, then creation, then row), so concurrent
    // logins agree on which to keep: the last one to read sees them all and leaves exactly `cap`.
    const live = await this.deps.storage(sessions.list(owner, this.deps.now()));
    for (const row of live.slice(cap)) await this.deps.revocation.blacklistFamilyId(row.familyId, owner, row.expiresAt);
  }

  /**
   * When the session `familyId` is due to have its `lastUsedAt` written
   * (at most once per `SESSION_TOUCH_INTERVAL` by this process; storage
   * skips rows written since by another): now, remembered as written; else null.
   */
  usedAt(familyId: string | null): Date | null {
    if (familyId === null || !this.enabled || !this.deps.apps().sessions) return null;
    const now = this.deps.now();
    const last = this.touched.get(familyId);
    if (last !== undefined && now.getTime() - last < SESSION_TOUCH_INTERVAL * 1000 && now.getTime() >= last) return null;
    this.remember(familyId, now.getTime());
    return now;
  }

  /** Remembers that the session's `lastUsedAt` was written at `at` (epoch ms), forgetting the oldest beyond `TOUCH_MEMORY`. */
  private remember(familyId: string, at: number): void {
    this.touched.delete(familyId);
    if (this.touched.size >= TOUCH_MEMORY) this.touched.delete(this.touched.keys().next().value!);
    this.touched.set(familyId, at);
  }

  /**
   * Marks the session of `token` as used (a refresh that did not rotate
   * through the group commit, which folds it into its transaction), at
   * most once a minute. Does nothing when sessions are off.
   */
  async used(token: Token): Promise<void> {
    const at = this.usedAt(token.getFamilyId());
    if (at === null) return;
    await this.deps.storage(this.app.touch([token.getFamilyId()!], at));
  }
}

function toSession(row: SessionRecord, currentSessionId: string | null): Session {
  return {
    id: row.familyId,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    userAgent: row.userAgent,
    ip: row.ip,
    current: currentSessionId !== null && row.familyId === currentSessionId,
  };
}
