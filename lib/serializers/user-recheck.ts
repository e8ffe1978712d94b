import { AuthenticationFailed } from '../errors';
import { md5PasswordHash, type Token } from '../tokens/token';
import type { SerializerHost } from './serializer';

/** The messages of the user re-check (Simple JWT's refresh serializers' `default_error_messages`). */
export const USER_RECHECK_MESSAGES: Readonly<Record<string, string>> = {
  no_active_account: 'No active account found for the given token.',
  password_changed: "The user's password has been changed.",
};

/**
 * The user a refresh or sliding token stands for, checked again before the
 * token is renewed: deleted or inactive → 401 `no_active_account`; with
 * `checkRevokeToken`, a changed password → the token is blacklisted
 * (blacklist app on) and 401 `password_changed`. Skipped (null) when the
 * instance has no user store or the token no user id. `messages` are the
 * serializer's `errorMessages`.
 */
export async function recheckUser<U>(sj: SerializerHost<U>, token: Token, messages: Readonly<Record<string, string>>): Promise<U | null> {
  const { users, settings } = sj;
  if (!users) return null;
  const userId = token.get(settings.userIdClaim);
  if (userId === undefined || userId === null || userId === '') return null;
  // Bounded by storageTimeout: a store that hangs answers 503, as one that fails.
  const user = await sj.storage(users.findById(String(userId)));
  if (user === null || user === undefined || !sj.userAuthenticationRule(user)) {
    throw new AuthenticationFailed(messages.no_active_account, 'no_active_account');
  }
  if (settings.checkRevokeToken && token.get(settings.revokeTokenClaim) !== md5PasswordHash(sj.passwordHashOf(user))) {
    if (settings.apps.blacklist) await token.blacklist();
    throw new AuthenticationFailed(messages.password_changed, 'password_changed');
  }
  return user;
}
