import { RefreshTokenBlacklistedError, ValidationError } from '../errors';
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

  override async validate(data: unknown, context: SerializerContext = {}): Promise<Record<string, never>> {
    const attrs = this.parse(data);
    try {
      await this.sj.validation.validateAnyType(attrs.token, context.req);
    } catch (err) {
      // A blacklisted refresh or sliding token is a 400 here, as in Simple JWT.
      if (err instanceof RefreshTokenBlacklistedError) throw new ValidationError({ [NON_FIELD_ERRORS]: [this.errorMessages.blacklisted] });
      throw err;
    }
    return {};
  }
}
