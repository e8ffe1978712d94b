import type { ResolvedSettings } from '../settings';
import { Token } from './token';

/**
 * A short-lived token presented on each request (`token_type: "access"`).
 *
 * @example
 * const access = new sj.AccessToken(raw);  // throws TokenError when invalid
 * await access.verify();                   // plus the family check, with tokenFamilyCheckOnAccess
 */
export class AccessToken extends Token {
  static override tokenType: string | null = 'access';
  protected static override lifetimeSetting: keyof ResolvedSettings = 'accessTokenLifetime';

  protected static override familyChecked(settings: ResolvedSettings): boolean {
    return settings.tokenFamilyEnabled && settings.apps.tokenFamily && settings.tokenFamilyCheckOnAccess;
  }
}
