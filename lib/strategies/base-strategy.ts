import type { Request } from 'express';
import passport from 'passport';
import { parseAuthHeader, readAuthHeader } from '../http/auth-header';
import { challengeFor, withChallenge } from '../errors';
import type { SimpleJWT } from '../simplejwt';
import type { Token, TokenClass } from '../tokens/token';
import { asPackageError } from '../storage/fail-closed';
import { resolveCookieMode, type CookieModeOptions, type ResolvedCookieMode } from '../http/cookie-mode';
import { isCookieValue, readCookie } from '../http/cookies';
import { checkCsrf } from '../http/csrf';
import type { JwtFromRequest } from '../http/extract-jwt';
import { AUTHENTICATE_DIRECT, type AuthenticateCallback, type DirectAuthenticate, type DirectAuthenticator } from '../http/direct-auth';

/** Options of the strategies. */
export interface JWTStrategyOptions {
  /** Register under another name than the default. */
  name?: string;
  /**
   * Where the raw token is (an {@link ExtractJwt} extractor or any
   * `(req) => string | null`). Default: the `authHeaderName` header with one
   * of `authHeaderTypes`, as Simple JWT reads it. A token that is the value
   * of one of the request's cookies needs the CSRF check on unsafe methods.
   */
  jwtFromRequest?: JwtFromRequest;
  /**
   * Cookie mode (the options given to `tokenRouter`): when the header (or
   * `jwtFromRequest`) has no token, the access cookie, then the sliding
   * cookie; unsafe requests authenticated so need the CSRF check
   * (`csrfCookie`, `csrfHeader`, `csrfTrustedOrigins`). Default off.
   */
  cookies?: CookieModeOptions;
}

/** CSRF names and no trusted origins, for a `jwtFromRequest` reading a cookie without cookie mode. */
const DEFAULT_CSRF_MODE: ResolvedCookieMode = resolveCookieMode({}, null);

/** Where a request's outcome goes: passport's strategy object (`authenticate`), or jwtAuth()'s callback (`DirectSink`). */
interface Sink {
  success(user: Express.User, info: JWTAuthInfo): void;
  fail(challenge: string, status: number): void;
  error(err: unknown): void;
}

/** jwtAuth()'s direct path: the outcome as passport's custom callback receives it (one object a request). */
class DirectSink implements Sink {
  constructor(private readonly done: AuthenticateCallback) {}
  success(user: Express.User, info: JWTAuthInfo): void {
    this.done(null, user, info);
  }
  fail(challenge: string, status: number): void {
    this.done(null, false, challenge, status);
  }
  error(err: unknown): void {
    this.done(err);
  }
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
export abstract class BaseJWTStrategy<U> extends passport.Strategy implements DirectAuthenticator {
  override name: string;
  readonly sj: SimpleJWT<never>;
  readonly wwwAuthenticateRealm = 'api';
  readonly mediaType = 'application/json';
  private readonly headerName: string;
  private readonly schemes: ReadonlySet<string>;
  private readonly tokenClasses: ReadonlyArray<TokenClass>;
  /** With `jwkUrl` the key may have to be fetched before the synchronous decode. */
  private readonly remoteKeys: boolean;
  private readonly jwtFromRequest: JwtFromRequest | undefined;
  private readonly cookieMode: ResolvedCookieMode | undefined;
  /** Only a token found elsewhere than the auth header can have come from a cookie. */
  private readonly mayUseCookies: boolean;
  /** Static keys and the package's own `getValidatedToken`: the token may be validated without waiting. */
  private readonly validatesNow: boolean;

  constructor(sj: SimpleJWT<never>, defaultName: string, options: JWTStrategyOptions = {}) {
    super();
    if (!sj || typeof sj !== 'object' || !('settings' in sj)) throw new TypeError('passport-simplejwt: the strategy needs a SimpleJWT instance');
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new TypeError("passport-simplejwt: the strategy option 'name' must be a non-empty string");
    }
    if (options.jwtFromRequest !== undefined && typeof options.jwtFromRequest !== 'function') {
      throw new TypeError("passport-simplejwt: the strategy option 'jwtFromRequest' must be a function (req) => string | null");
    }
    this.name = options.name ?? defaultName;
    this.jwtFromRequest = options.jwtFromRequest;
    // The routers warn about `secure: false`; the strategy sets no cookie.
    this.cookieMode = options.cookies === undefined ? undefined : resolveCookieMode(options.cookies, null);
    this.mayUseCookies = this.jwtFromRequest !== undefined || this.cookieMode !== undefined;
    this.sj = sj;
    this.headerName = sj.settings.authHeaderName;
    this.schemes = new Set(sj.settings.authHeaderTypes);
    this.tokenClasses = sj.authTokenClasses;
    this.remoteKeys = sj.settings.jwkUrl !== null;
    this.validatesNow = !this.remoteKeys && this.getValidatedToken === BaseJWTStrategy.prototype.getValidatedToken;
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

  /** The first of `authTokenClasses` that accepts the token, fully verified (`req` goes to the `isRevoked` hook). */
  getValidatedToken(raw: string, req?: Request): Promise<Token> {
    return this.sj.validation.validateFirst(this.tokenClasses, raw, req);
  }

  /** The user the validated token stands for. */
  abstract getUser(token: Token): Promise<U>;

  /** The user when it needs no I/O (the stateless strategy's), else undefined: then `getUser` is awaited. */
  protected userAtOnce(_token: Token): { user: U } | undefined {
    return undefined;
  }

  /** The raw token: `jwtFromRequest`, else the auth header; then, in cookie mode, the access or sliding cookie. */
  extractToken(req: Request): string | null {
    let raw: string | null = null;
    if (this.jwtFromRequest) {
      const found: unknown = this.jwtFromRequest(req);
      if (typeof found === 'string' && found !== '') raw = found;
    } else {
      const header = this.getHeader(req);
      if (header !== undefined) raw = this.getRawToken(header);
    }
    if (raw === null && this.cookieMode) raw = readCookie(req, this.cookieMode.accessCookie) ?? readCookie(req, this.cookieMode.slidingCookie);
    return raw;
  }

  override authenticate(req: Request): void {
    this.run(req, this as unknown as Sink);
  }

  /**
   * jwtAuth()'s fast path (issue #25): the same checks as `authenticate`, answered to a
   * callback instead of through passport's strategy object. Null when a subclass overrides
   * `authenticate`: then only passport runs what it does.
   */
  [AUTHENTICATE_DIRECT](): DirectAuthenticate | null {
    if (this.authenticate !== BaseJWTStrategy.prototype.authenticate) return null;
    return (req, done) => this.run(req, new DirectSink(done));
  }

  private run(req: Request, sink: Sink): void {
    let raw: string | null;
    try {
      raw = this.extractToken(req);
    } catch (err) {
      return sink.error(withChallenge(asPackageError(err, this.sj.logger), this.authenticateHeader()));
    }
    if (raw === null) return sink.fail(this.authenticateHeader(), 401);
    // A browser sends cookies by itself, also on a request another site made: such requests must prove they are the page's.
    if (this.mayUseCookies && isCookieValue(req, raw)) {
      const refused = checkCsrf(req, this.cookieMode ?? DEFAULT_CSRF_MODE);
      if (refused) return sink.error(refused);
    }
    // Nothing to wait for on the way to the user (no JWKS fetch, no stored check, no hook): no promise chain (#25).
    if (this.validatesNow) {
      let token: Token | undefined;
      let now: { user: U } | undefined;
      let user: Promise<U> | U | undefined;
      try {
        token = this.sj.validation.validateFirstNow(this.tokenClasses, raw);
        if (token) now = this.userAtOnce(token);
        if (token && !now) user = this.getUser(token);
      } catch (err) {
        return sink.error(withChallenge(asPackageError(err, this.sj.logger), this.authenticateHeader()));
      }
      if (token && now) return sink.success(now.user as Express.User, { token } satisfies JWTAuthInfo);
      if (token) {
        const info: JWTAuthInfo = { token };
        Promise.resolve(user).then(
          (found) => sink.success(found as Express.User, info),
          (err: unknown) => sink.error(withChallenge(asPackageError(err, this.sj.logger), this.authenticateHeader())),
        );
        return;
      }
    }
    this.authenticateToken(raw, req).then(
      ({ user, token }) => sink.success(user as Express.User, { token } satisfies JWTAuthInfo),
      // Anything unexpected on the way (a store throwing) must not let a request through:
      // an outage is a 503, a bug a 500 for the app's error middleware.
      (err: unknown) => sink.error(withChallenge(asPackageError(err, this.sj.logger), this.authenticateHeader())),
    );
  }

  private async authenticateToken(raw: string, req: Request): Promise<{ user: U; token: Token }> {
    if (this.remoteKeys) await this.sj.prepareKey(raw);
    const token = await this.getValidatedToken(raw, req);
    const user = await this.getUser(token);
    return { user, token };
  }
}
