import type { Request } from 'express';
import passport from 'passport';
import { parseAuthHeader, readAuthHeader } from '../auth-header';
import { InvalidToken, TokenError, challengeFor, withChallenge, type TokenClassMessage } from '../errors';
import type { SimpleJWT } from '../simplejwt';
import type { Token, TokenClass } from '../tokens/token';
import { asPackageError } from '../fail-closed';

/** Options of the strategies. */
export interface JWTStrategyOptions {
  /** Register under another name than the default. */
  name?: string;
}

/** What a successful authentication puts in `req.authInfo`. */
export interface JWTAuthInfo {
  /** The validated token. */
  token: Token;
}

/**
 * The request path shared by both strategies (Simple JWT's JWTAuthentication):
 * header → raw token → validated token → user. Settings are read once here,
 * not per request. The base class is `passport.Strategy` (passport-strategy's
 * class) from the app's own passport, a peer dependency.
 */
export abstract class BaseJWTStrategy<U> extends passport.Strategy {
  override name: string;
  readonly sj: SimpleJWT<never>;
  readonly wwwAuthenticateRealm = 'api';
  readonly mediaType = 'application/json';
  private readonly headerName: string;
  private readonly schemes: ReadonlySet<string>;
  private readonly tokenClasses: ReadonlyArray<TokenClass>;
  /** With `jwkUrl` the key may have to be fetched before the synchronous decode. */
  private readonly remoteKeys: boolean;

  constructor(sj: SimpleJWT<never>, defaultName: string, options: JWTStrategyOptions = {}) {
    super();
    if (!sj || typeof sj !== 'object' || !('settings' in sj)) throw new TypeError('passport-simplejwt: the strategy needs a SimpleJWT instance');
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new TypeError("passport-simplejwt: the strategy option 'name' must be a non-empty string");
    }
    this.name = options.name ?? defaultName;
    this.sj = sj;
    this.headerName = sj.settings.authHeaderName;
    this.schemes = new Set(sj.settings.authHeaderTypes);
    this.tokenClasses = sj.authTokenClasses;
    this.remoteKeys = sj.settings.jwkUrl !== null;
  }

  /** The `WWW-Authenticate` challenge of a 401: the first of `authHeaderTypes` and the realm. */
  authenticateHeader(): string {
    return challengeFor(this.sj.settings.authHeaderTypes, this.wwwAuthenticateRealm);
  }

  /** The auth header's value, or undefined. */
  getHeader(req: Request): string | undefined {
    return readAuthHeader(req.headers, this.headerName);
  }

  /** The token in the header, or null when the header is empty or of another scheme. */
  getRawToken(header: string): string | null {
    return parseAuthHeader(header, this.schemes);
  }

  /** The first of `authTokenClasses` that accepts the token, fully verified. */
  async getValidatedToken(raw: string): Promise<Token> {
    const messages: TokenClassMessage[] = [];
    for (const TokenCls of this.tokenClasses) {
      try {
        const token = new TokenCls(raw);
        await token.verify();
        return token;
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
        messages.push({ token_class: TokenCls.name, token_type: TokenCls.tokenType, message: err.message });
      }
    }
    throw new InvalidToken('Given token not valid for any token type', messages);
  }

  /** The user the validated token stands for. */
  abstract getUser(token: Token): Promise<U>;

  override authenticate(req: Request): void {
    const header = this.getHeader(req);
    let raw: string | null = null;
    if (header !== undefined) {
      try {
        raw = this.getRawToken(header);
      } catch (err) {
        return this.error(withChallenge(err as Error, this.authenticateHeader()));
      }
    }
    if (raw === null) return this.fail(this.authenticateHeader(), 401);
    this.authenticateToken(raw).then(
      ({ user, token }) => this.success(user as Express.User, { token } satisfies JWTAuthInfo),
      // Anything unexpected on the way (a store throwing) must not let a request through:
      // an outage is a 503, a bug a 500 for the app's error middleware.
      (err: unknown) => this.error(withChallenge(asPackageError(err, this.sj.logger), this.authenticateHeader())),
    );
  }

  private async authenticateToken(raw: string): Promise<{ user: U; token: Token }> {
    if (this.remoteKeys) await this.sj.prepareKey(raw);
    const token = await this.getValidatedToken(raw);
    const user = await this.getUser(token);
    return { user, token };
  }
}

