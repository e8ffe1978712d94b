import type { BoundTokenClasses } from './token-class';
import { RefreshToken } from '../tokens/refresh-token';
import type { SerializerContext } from './serializer';
import { TokenObtainSerializer } from './token-obtain';

/** The 200 body of the obtain-pair view. */
export interface TokenPairBody {
  refresh: string;
  access: string;
  [key: string]: unknown;
}

/**
 * Credentials in, `{refresh, access}` out (Simple JWT's `TokenObtainPairSerializer`).
 * Override the static `getToken` to add claims to both tokens.
 *
 * @example
 * class MyObtain extends TokenObtainPairSerializer<User> {
 *   static override async getToken(user: User, sj: SimpleJWT<User>) {
 *     const token = await super.getToken(user, sj);
 *     token.set('name', user.name);
 *     return token;
 *   }
 * }
 * app.use('/api/token/', tokenObtainPairRouter(sj, { serializerClass: MyObtain }));
 */
export class TokenObtainPairSerializer<U = unknown> extends TokenObtainSerializer<U> {
  static override tokenClass: typeof RefreshToken = RefreshToken;

  static override async getToken(user: unknown, sj: BoundTokenClasses): Promise<RefreshToken> {
    return (await super.getToken(user, sj)) as RefreshToken;
  }

  override async validate(data: unknown, context: SerializerContext = {}): Promise<TokenPairBody> {
    const body = await super.validate(data, context);
    const refresh = await (this.constructor as typeof TokenObtainPairSerializer).getToken(this.user, this.sj);
    const result: TokenPairBody = { ...body, refresh: String(refresh), access: String(refresh.accessToken) };
    // The session this login starts (device, address) and maxSessionsPerUser.
    await this.sj.sessions.start(refresh, context.req);
    await this.sj.onLoginSuccess(this.user as U, context.req);
    return result;
  }
}
