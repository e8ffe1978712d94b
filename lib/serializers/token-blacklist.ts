import { RefreshToken } from '../tokens/refresh-token';
import type { FieldSpec } from './fields';
import { Serializer, type SerializerContext } from './serializer';

/**
 * A refresh token in, `{}` out, the token blacklisted (Simple JWT's
 * `TokenBlacklistSerializer`; "log out"). A token already blacklisted is a
 * 401 "Token is blacklisted". With the blacklist app off the token is only checked.
 *
 * @example
 * app.use('/api/token/blacklist/', tokenBlacklistRouter(sj));
 */
export class TokenBlacklistSerializer<U = unknown> extends Serializer<U> {
  static tokenClass: typeof RefreshToken = RefreshToken;

  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: 'refresh' }];
  }

  override async validate(data: unknown, context: SerializerContext = {}): Promise<Record<string, never>> {
    const attrs = this.parse(data);
    const Cls = this.bound((this.constructor as typeof TokenBlacklistSerializer).tokenClass);
    const refresh = await this.sj.validation.validate(Cls, attrs.refresh, context.req);
    if (this.sj.settings.apps.blacklist) await refresh.blacklist();
    return {};
  }
}
