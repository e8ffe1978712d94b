import { TokenError, TokenFamilyNotConfigured, ValidationError } from '../errors';
import { RefreshToken } from '../tokens/refresh-token';
import type { FieldSpec } from './fields';
import { Serializer, type SerializerContext } from './serializer';

/** The `message` of the family blacklist view's 200 body. */
export const FAMILY_BLACKLISTED = 'Token Family blacklisted';

/** The 200 body of the family blacklist view. */
export interface TokenFamilyBlacklistBody {
  message: string;
  [key: string]: unknown;
}

/**
 * A refresh token in, its whole family blacklisted (the token-family
 * extension's `TokenFamilyBlacklistSerializer`): every token of the family,
 * past and future rotations, stops working. 501 `token_family_not_configured`
 * unless `tokenFamilyEnabled` and the family app are on; a token minted
 * without a family is a 400 `{"refresh": ["Token has no family ID"]}`.
 *
 * @example
 * app.use('/api/token/family/blacklist/', tokenFamilyBlacklistRouter(sj));
 */
export class TokenFamilyBlacklistSerializer<U = unknown> extends Serializer<U> {
  static tokenClass: typeof RefreshToken = RefreshToken;
  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: 'refresh' }];
  }

  override async validate(data: unknown, context: SerializerContext = {}): Promise<TokenFamilyBlacklistBody> {
    const attrs = this.parse(data);
    const Cls = this.bound((this.constructor as typeof TokenFamilyBlacklistSerializer).tokenClass);
    const refresh = await this.sj.validation.validate(Cls, attrs.refresh, context.req);
    const { tokenFamilyEnabled, apps } = this.sj.settings;
    if (!tokenFamilyEnabled || !apps.tokenFamily) throw new TokenFamilyNotConfigured();
    try {
      await refresh.blacklistFamily();
    } catch (err) {
      // "Token has no family ID" belongs to the field, as in Simple JWT.
      if (err instanceof TokenError) throw new ValidationError({ refresh: [err.message] });
      throw err;
    }
    return { message: FAMILY_BLACKLISTED };
  }
}
