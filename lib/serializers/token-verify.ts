import { ValidationError } from '../errors';
import type { FieldSpec } from './fields';
import { NON_FIELD_ERRORS } from './fields';
import { Serializer, type SerializerContext } from './serializer';

/**
 * Any token of the instance in, `{}` out when it is valid (Simple JWT's
 * `TokenVerifySerializer`): signature and expiry; with the blacklist app a
 * blacklisted refresh or sliding token is a 400
 * `{"non_field_errors": ["Token is blacklisted"]}`; with token families an
 * expired or blacklisted family is a 401.
 *
 * @example
 * app.use('/api/token/verify/', tokenVerifyRouter(sj));
 */
export class TokenVerifySerializer<U = unknown> extends Serializer<U> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    blacklisted: 'Token is blacklisted',
  };

  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: 'token' }];
  }

  override async validate(data: unknown, _context: SerializerContext = {}): Promise<Record<string, never>> {
    const attrs = this.parse(data);
    const { sj } = this;
    const { apps, tokenTypeClaim, jtiClaim, tokenFamilyEnabled } = sj.settings;
    const token = new sj.UntypedToken(attrs.token);
    await token.verify();

    if (apps.blacklist && tokenTypeClaim !== null && jtiClaim !== null) {
      const type = token.get(tokenTypeClaim);
      const jti = token.get(jtiClaim);
      const blacklistable = type === sj.RefreshToken.tokenType || type === sj.SlidingToken.tokenType;
      if (blacklistable && (typeof jti === 'string' || typeof jti === 'number') && (await sj.isBlacklisted(String(jti)))) {
        throw new ValidationError({ [NON_FIELD_ERRORS]: [this.errorMessages.blacklisted] });
      }
    }
    if (tokenFamilyEnabled && apps.tokenFamily) {
      token.checkFamilyExp();
      await token.checkFamilyBlacklist();
    }
    return {};
  }
}
