import { SlidingToken } from '../tokens/sliding-token';
import type { SerializerContext } from './serializer';
import { TokenObtainSerializer } from './token-obtain';

/** The 200 body of the sliding views. */
export interface SlidingTokenBody {
  token: string;
  [key: string]: unknown;
}

/**
 * Credentials in, `{token}` out (Simple JWT's `TokenObtainSlidingSerializer`).
 *
 * @example
 * app.use('/api/token/sliding/', tokenObtainSlidingRouter(sj));
 */
export class TokenObtainSlidingSerializer<U = unknown> extends TokenObtainSerializer<U> {
  static override tokenClass: typeof SlidingToken = SlidingToken;

  override async validate(data: unknown, context: SerializerContext = {}): Promise<SlidingTokenBody> {
    const body = await super.validate(data, context);
    const token = await (this.constructor as typeof TokenObtainSlidingSerializer).getToken(this.user, this.sj);
    const result: SlidingTokenBody = { ...body, token: String(token) };
    await this.sj.onLoginSuccess(this.user as U, context.req);
    return result;
  }
}
