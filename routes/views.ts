import type { RequestHandler, Router } from 'express';
import { TokenBlacklistSerializer } from '../lib/serializers/token-blacklist';
import { TokenFamilyBlacklistSerializer } from '../lib/serializers/token-family-blacklist';
import { TokenLogoutSerializer } from '../lib/serializers/token-logout';
import { TokenObtainPairSerializer } from '../lib/serializers/token-obtain-pair';
import { TokenObtainSlidingSerializer } from '../lib/serializers/token-obtain-sliding';
import { TokenRefreshSerializer } from '../lib/serializers/token-refresh';
import { TokenRefreshSlidingSerializer } from '../lib/serializers/token-refresh-sliding';
import { TokenVerifySerializer } from '../lib/serializers/token-verify';
import type { SimpleJWT } from '../lib/simplejwt';
import { viewHandler, viewRouter, type TokenViewOptions, type ViewCheck, type ViewSpec } from './view';

/**
 * What the two logins share: they check credentials against the user store,
 * sign tokens, and answer beside their tokens as below. With `loginThrottle`,
 * an address already known blocked is refused (429, held in the tarpit)
 * before its body is read: a flood of refused logins costs no body parsing.
 */
const LOGIN = {
  needsUsers: true,
  signs: true,
  cookies: { login: true, writes: true },
  before: (sj: SimpleJWT<never>): ViewCheck | undefined => {
    const throttle = sj.loginThrottle;
    return throttle ? (req) => throttle.refuseBlockedAddress(req.ip) : undefined;
  },
  answers: {
    400: 'a credential field missing, blank or not a string',
    401: '`no_active_account`: wrong credentials or an inactive user',
    429: '`throttled`: too many failed logins (`loginThrottle`)',
    503: 'the user store or the database is down',
  },
} as const;
/** The answers of a view that reads one token (before its own). */
const TOKEN_ANSWERS = {
  400: 'the token field missing, blank or not a string',
  401: '`token_not_valid`: a bad, expired or blacklisted token',
  503: 'the database or the cache is down',
} as const;

/**
 * The token views, one row each (Simple JWT's `views.py`): the public
 * factories below and `tokenRouter` are made from this table. To add a view:
 * a row here, two exports below, one line in `lib/index.ts`.
 */
export const VIEWS = {
  obtainPair: {
    name: 'Token Obtain Pair',
    description: 'Checks user credentials and answers with a refresh token and an access token.',
    path: '/',
    mounted: 'always',
    settings: ['tokenObtainPairSerializer', 'tokenObtainSerializer'],
    defaultSerializer: TokenObtainPairSerializer,
    ...LOGIN,
    answers: { 200: '{refresh, access}', ...LOGIN.answers },
  },
  refresh: {
    name: 'Token Refresh',
    description: 'Exchanges a valid refresh token for a new access token (and, with rotation, a new refresh token).',
    path: '/refresh/',
    mounted: 'always',
    settings: ['tokenRefreshSerializer'],
    defaultSerializer: TokenRefreshSerializer,
    signs: true,
    answers: {
      200: '{access}, plus refresh with rotateRefreshTokens',
      ...TOKEN_ANSWERS,
      401: '`token_not_valid`, `no_active_account` (user gone) or `password_changed`',
    },
    cookies: { reads: { field: 'refresh', from: ['refresh'] }, writes: true },
  },
  verify: {
    name: 'Token Verify',
    description: 'Tells whether a token is valid; says nothing about what it may be used for.',
    path: '/verify/',
    mounted: 'always',
    settings: ['tokenVerifySerializer'],
    defaultSerializer: TokenVerifySerializer,
    answers: { 200: '{}', ...TOKEN_ANSWERS, 400: 'the token field missing, or `non_field_errors` for a blacklisted refresh token (blacklist app on)' },
    cookies: { reads: { field: 'token', from: ['access', 'sliding'] } },
  },
  blacklist: {
    name: 'Token Blacklist',
    description: 'Blacklists a refresh token (log out).',
    path: '/blacklist/',
    mounted: 'blacklistApp',
    settings: ['tokenBlacklistSerializer'],
    defaultSerializer: TokenBlacklistSerializer,
    answers: { 200: '{}', ...TOKEN_ANSWERS },
    cookies: { reads: { field: 'refresh', from: ['refresh'] } },
  },
  familyBlacklist: {
    name: 'Token Family Blacklist',
    description: 'Blacklists the whole family of a refresh token (every rotation of one login).',
    path: '/family/blacklist/',
    mounted: 'tokenFamilyEnabled',
    settings: ['tokenFamilyBlacklistSerializer'],
    defaultSerializer: TokenFamilyBlacklistSerializer,
    answers: {
      200: '{"message": "Token Family blacklisted"}',
      ...TOKEN_ANSWERS,
      400: 'the token field missing, or a token without `family_id`',
      501: '`token_family_not_configured`: token families are off',
    },
    cookies: { reads: { field: 'refresh', from: ['refresh'] } },
  },
  obtainSliding: {
    name: 'Token Obtain Sliding',
    description: 'Checks user credentials and answers with a sliding token.',
    path: '/sliding/',
    mounted: 'sliding',
    settings: ['tokenObtainSlidingSerializer'],
    defaultSerializer: TokenObtainSlidingSerializer,
    ...LOGIN,
    answers: { 200: '{token}', ...LOGIN.answers },
  },
  refreshSliding: {
    name: 'Token Refresh Sliding',
    description: 'Renews the expiry of a sliding token while its refresh period lasts.',
    path: '/sliding/refresh/',
    mounted: 'sliding',
    settings: ['tokenRefreshSlidingSerializer'],
    defaultSerializer: TokenRefreshSlidingSerializer,
    signs: true,
    answers: { 200: '{token}, its exp renewed', ...TOKEN_ANSWERS },
    cookies: { reads: { field: 'token', from: ['sliding'] }, writes: true },
  },
  logout: {
    name: 'Token Logout',
    description: 'Blacklists the refresh token (blacklist app on) and clears the token cookies.',
    path: '/logout/',
    mounted: 'cookieMode',
    settings: [],
    defaultSerializer: TokenLogoutSerializer,
    // Idempotent: no token, or a bad one, is a session already over.
    answers: { 200: '{}, the cookies cleared', 400: 'a token field that is not a string', 503: 'the database or the cache is down' },
    cookies: { reads: { field: 'refresh', from: ['refresh'] }, clears: true },
  },
} as const satisfies Record<string, ViewSpec>;

/** A public router factory: the view's router for an instance. */
export type TokenViewRouterFactory = <U>(sj: SimpleJWT<U>, opts?: TokenViewOptions<NoInfer<U>>) => Router;
/** A public handler factory: the view's plain handler, for an app that routes and parses bodies itself (no body → `{}`). */
export type TokenViewHandlerFactory = <U>(sj: SimpleJWT<U>, opts?: TokenViewOptions<NoInfer<U>>) => RequestHandler;

const routerOf =
  (view: ViewSpec): TokenViewRouterFactory =>
  (sj, opts = {}) =>
    viewRouter(sj, view, opts);
const handlerOf =
  (view: ViewSpec): TokenViewHandlerFactory =>
  (sj, opts = {}) =>
    viewHandler(sj, view, opts);

/**
 * Obtain-pair view (Simple JWT's `TokenObtainPairView`): POST credentials
 * (`{username, password}`, the login field named by `usernameField`) → 200
 * `{refresh, access}`; wrong credentials or an inactive user → 401
 * `no_active_account`. Serializer: `opts.serializerClass`, else the
 * `tokenObtainPairSerializer` setting (or Simple JWT's
 * `tokenObtainSerializer`), else {@link TokenObtainPairSerializer}.
 *
 * @example
 * app.use('/api/token/', tokenObtainPairRouter(sj));
 */
export const tokenObtainPairRouter = routerOf(VIEWS.obtainPair);
/**
 * The plain handler of {@link tokenObtainPairRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/login/', express.json(), tokenObtainPair(sj));
 */
export const tokenObtainPair = handlerOf(VIEWS.obtainPair);

/**
 * Refresh view (Simple JWT's `TokenRefreshView`): POST `{refresh}` → 200
 * `{access}`, plus `refresh` with `rotateRefreshTokens`. Serializer:
 * `opts.serializerClass`, else the `tokenRefreshSerializer` setting, else
 * {@link TokenRefreshSerializer}.
 *
 * @example
 * app.use('/api/token/refresh/', tokenRefreshRouter(sj));
 */
export const tokenRefreshRouter = routerOf(VIEWS.refresh);
/**
 * The plain handler of {@link tokenRefreshRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/refresh/', express.json(), tokenRefresh(sj));
 */
export const tokenRefresh = handlerOf(VIEWS.refresh);

/**
 * Verify view (Simple JWT's `TokenVerifyView`): POST `{token}` (any token
 * type) → 200 `{}` when valid; 401 when not; 400 `non_field_errors` for a
 * blacklisted refresh token (blacklist app on). Serializer:
 * `opts.serializerClass`, else the `tokenVerifySerializer` setting, else
 * {@link TokenVerifySerializer}.
 *
 * @example
 * app.use('/api/token/verify/', tokenVerifyRouter(sj));
 */
export const tokenVerifyRouter = routerOf(VIEWS.verify);
/**
 * The plain handler of {@link tokenVerifyRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/verify/', express.json(), tokenVerify(sj));
 */
export const tokenVerify = handlerOf(VIEWS.verify);

/**
 * Blacklist view (Simple JWT's `TokenBlacklistView`): POST `{refresh}` → 200
 * `{}`, the token blacklisted (blacklist app on). Serializer:
 * `opts.serializerClass`, else the `tokenBlacklistSerializer` setting, else
 * {@link TokenBlacklistSerializer}.
 *
 * @example
 * app.use('/api/token/blacklist/', tokenBlacklistRouter(sj));
 */
export const tokenBlacklistRouter = routerOf(VIEWS.blacklist);
/**
 * The plain handler of {@link tokenBlacklistRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/logout/', express.json(), tokenBlacklist(sj));
 */
export const tokenBlacklist = handlerOf(VIEWS.blacklist);

/**
 * Family blacklist view (the token-family extension's
 * `TokenFamilyBlacklistView`): POST `{refresh}` → 200 `{"message": "Token
 * Family blacklisted"}`; 501 when token families are off; 400 for a token
 * without `family_id`. Serializer: `opts.serializerClass`, else the
 * `tokenFamilyBlacklistSerializer` setting, else {@link
 * TokenFamilyBlacklistSerializer}.
 *
 * @example
 * app.use('/api/token/family/blacklist/', tokenFamilyBlacklistRouter(sj));
 */
export const tokenFamilyBlacklistRouter = routerOf(VIEWS.familyBlacklist);
/**
 * The plain handler of {@link tokenFamilyBlacklistRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/logout-everywhere/', express.json(), tokenFamilyBlacklist(sj));
 */
export const tokenFamilyBlacklist = handlerOf(VIEWS.familyBlacklist);

/**
 * Sliding obtain view (Simple JWT's `TokenObtainSlidingView`): POST
 * credentials → 200 `{token}`. Serializer: `opts.serializerClass`, else the
 * `tokenObtainSlidingSerializer` setting, else {@link
 * TokenObtainSlidingSerializer}.
 *
 * @example
 * app.use('/api/token/sliding/', tokenObtainSlidingRouter(sj));
 */
export const tokenObtainSlidingRouter = routerOf(VIEWS.obtainSliding);
/**
 * The plain handler of {@link tokenObtainSlidingRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/login/', express.json(), tokenObtainSliding(sj));
 */
export const tokenObtainSliding = handlerOf(VIEWS.obtainSliding);

/**
 * Sliding refresh view (Simple JWT's `TokenRefreshSlidingView`): POST
 * `{token}` → 200 `{token}` with a new `exp`, until the token's `refresh_exp`.
 * Serializer: `opts.serializerClass`, else the `tokenRefreshSlidingSerializer`
 * setting, else {@link TokenRefreshSlidingSerializer}.
 *
 * @example
 * app.use('/api/token/sliding/refresh/', tokenRefreshSlidingRouter(sj));
 */
export const tokenRefreshSlidingRouter = routerOf(VIEWS.refreshSliding);
/**
 * The plain handler of {@link tokenRefreshSlidingRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/refresh/', express.json(), tokenRefreshSliding(sj));
 */
export const tokenRefreshSliding = handlerOf(VIEWS.refreshSliding);

/**
 * Logout view of cookie mode: POST (the refresh token from its cookie, or
 * `{refresh}`) → 200 `{}`, the refresh token blacklisted (blacklist app on)
 * and every token cookie and the CSRF cookie cleared. Idempotent: no token,
 * or one already invalid or blacklisted, still answers 200 and clears the
 * cookies. The origin check always applies (a foreign `Origin` is a 403 that
 * clears nothing), and with cookies the whole CSRF check. `tokenRouter(sj, { cookies })`
 * mounts it at `/logout/`. Serializer: `opts.serializerClass`, else
 * {@link TokenLogoutSerializer}.
 *
 * @example
 * app.use('/api/token/logout/', tokenLogoutRouter(sj, { cookies: { refreshPath: '/api/token/' } }));
 */
export const tokenLogoutRouter = routerOf(VIEWS.logout);
/**
 * The plain handler of {@link tokenLogoutRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/logout/', express.json(), tokenLogout(sj, { cookies: {} }));
 */
export const tokenLogout = handlerOf(VIEWS.logout);
