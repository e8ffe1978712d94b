import type { Request } from 'express';

/**
 * How the package reaches the app's users (Django's User model and
 * `authenticate()`). The app owns the model; the package only asks.
 *
 * @example
 * const users: UserStore<User> = {
 *   findById: (id) => db.users.find(id),
 *   authenticate: async ({ username, password }) => {
 *     const user = await db.users.byName(username);
 *     return user && (await bcrypt.compare(password, user.passwordHash)) ? user : null;
 *   },
 * };
 */
export interface UserStore<U = unknown> {
  /** The user whose id (a string, as tokens carry it) is `id`, or null. */
  findById(id: string): Promise<U | null>;
  /** The user these credentials belong to, or null (Django's `authenticate()`). */
  authenticate(credentials: Record<string, string>, req?: Request): Promise<U | null>;
  /** Default: `user.isActive ?? user.is_active ?? true`. */
  isActive?(user: U): boolean;
  /** Default: `user.password` (for checkRevokeToken). */
  getPasswordHash?(user: U): string;
  /** Called on login when updateLastLogin is on. */
  updateLastLogin?(user: U): Promise<void>;
  /**
   * The id of the account `username` names as the app's database resolves it
   * (its collation: `Demo` and `DEMO` may be one account), or null when none
   * does. Optional: with it, `loginThrottle` counts failures per account id;
   * without it (or on null), per username folded for case and accents.
   */
  accountIdOf?(username: string): Promise<string | null>;
}
