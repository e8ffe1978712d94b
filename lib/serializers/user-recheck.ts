import type { BlacklistableToken } from '../tokens/blacklist-mixin';
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
 * serializer's `errorMessages`. The validation pipeline's renewal step
 * (`sj.validation.renewalUser`), under the name the serializers call.
 */
export async function recheckUser<U>(sj: SerializerHost<U>, token: BlacklistableToken, messages: Readonly<Record<string, string>>): Promise<U | null> {
  return sj.validation.renewalUser(token, messages);
}
