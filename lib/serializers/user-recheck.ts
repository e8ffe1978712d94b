/** The messages of the user re-check (Simple JWT's refresh serializers' `default_error_messages`). */
export const USER_RECHECK_MESSAGES: Readonly<Record<string, string>> = {
  no_active_account: 'No active account found for the given token.',
  password_changed: "The user's password has been changed.",
};
