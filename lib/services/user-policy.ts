import type { ResolvedSettings } from '../settings';
import { md5PasswordHash, type Token } from '../tokens/token';
import type { UserStore } from '../types/user-store';

/** Why a token's user is refused: gone, inactive, or its password changed since the token was issued (checkRevokeToken). */
export type UserRefusal = 'user_not_found' | 'user_inactive' | 'password_changed';

/**
 * Which active check applies: the strategy's `checkUserIsActive`, or the
 * `userAuthenticationRule` of logins and renewals (by default the same check).
 */
export type ActiveRule = 'checkUserIsActive' | 'userAuthenticationRule';

/** What the user policy is built from (`SimpleJWT` passes its own). */
export interface UserPolicyDeps<U> {
  readonly settings: ResolvedSettings;
  readonly users?: UserStore<U>;
  /** The `userAuthenticationRule` option, already given the instance. */
  authenticationRule?(user: U | null): boolean;
  /** Bounds storage work by `storageTimeout`. */
  storage<T>(work: Promise<T>): Promise<T>;
}

function defaultIsActive(user: unknown): boolean {
  const u = user as { isActive?: unknown; is_active?: unknown } | null;
  const flag = u?.isActive ?? u?.is_active;
  return flag === undefined ? true : Boolean(flag);
}

/** Reads a field of a plain object or a Sequelize instance. */
function readField(user: object, field: string): unknown {
  const getter = (user as { get?: unknown }).get;
  if (typeof getter === 'function' && !(field in user)) return (getter as (k: string) => unknown).call(user, field);
  return (user as Record<string, unknown>)[field];
}

/**
 * The rules about a token's user, written once: how its id and password
 * hash are read, whether it is active, whether it may authenticate, and
 * whether its password changed since the token was issued. The stateful
 * strategy, the refresh and sliding refresh serializers and the login use it.
 */
export class UserPolicy<U = unknown> {
  private readonly deps: UserPolicyDeps<U>;

  constructor(deps: UserPolicyDeps<U>) {
    this.deps = deps;
  }

  /** Whether the instance has a user store (`users`). */
  get hasUsers(): boolean {
    return Boolean(this.deps.users);
  }

  /** The user's id as tokens carry it: always a string. */
  userIdOf(user: unknown, field = this.deps.settings.userIdField): string {
    const id = user !== null && typeof user === 'object' ? readField(user, field) : undefined;
    if (typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'bigint') {
      throw new TypeError(`passport-simplejwt: the user has no usable '${field}' (userIdField)`);
    }
    return String(id);
  }

  /** The stored password hash (for checkRevokeToken): `users.getPasswordHash`, else `user.password`. */
  passwordHashOf(user: unknown): string {
    const fromStore = this.deps.users?.getPasswordHash?.(user as U);
    if (fromStore !== undefined) return fromStore;
    const value = user !== null && typeof user === 'object' ? readField(user, 'password') : undefined;
    return typeof value === 'string' ? value : '';
  }

  /** Whether the user may log in (checkUserIsActive): `users.isActive`, else `isActive ?? is_active ?? true`. */
  isActive(user: U): boolean {
    return this.deps.users?.isActive ? this.deps.users.isActive(user) : defaultIsActive(user);
  }

  /** `userAuthenticationRule`: the option, else user present and, with checkUserIsActive, active. */
  authenticationRule(user: U | null): boolean {
    if (this.deps.authenticationRule) return this.deps.authenticationRule(user);
    return user !== null && user !== undefined && (!this.deps.settings.checkUserIsActive || this.isActive(user));
  }

  /** With checkRevokeToken: whether the user's password changed since `token` was issued (its hash claim no longer matches). */
  passwordChanged(token: Token, user: U): boolean {
    const { checkRevokeToken, revokeTokenClaim } = this.deps.settings;
    return checkRevokeToken && token.get(revokeTokenClaim) !== md5PasswordHash(this.passwordHashOf(user));
  }

  /** The user with this id (`users.findById`), bounded by `storageTimeout`; throws when there is no user store. */
  findById(id: string): Promise<U | null> {
    const { users } = this.deps;
    if (!users) throw new TypeError("passport-simplejwt: this needs the 'users' setting (a UserStore)");
    // A store that hangs answers 503, as one that fails.
    return this.deps.storage(users.findById(id));
  }

  /**
   * The checks every token's user passes, in order: it exists, it is active
   * (by `rule`), its password has not changed (checkRevokeToken). Null
   * when it passes, else why not.
   */
  refusal(token: Token, user: U | null | undefined, rule: ActiveRule): UserRefusal | null {
    if (user === null || user === undefined) return 'user_not_found';
    const active = rule === 'checkUserIsActive' ? !this.deps.settings.checkUserIsActive || this.isActive(user) : this.authenticationRule(user);
    if (!active) return 'user_inactive';
    if (this.passwordChanged(token, user)) return 'password_changed';
    return null;
  }
}
