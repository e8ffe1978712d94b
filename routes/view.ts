import { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { sendError, toAPIError } from '../lib/error-handler';
import { ServerError, SimpleJWTError, challengeFor, withChallenge } from '../lib/errors';
import type { SerializerClass, SerializerSettingName, TokenSerializer } from '../lib/serializers/serializer';
import { asPackageError } from '../lib/fail-closed';
import { isSerializerClass } from '../lib/settings/parse';
import type { SimpleJWT } from '../lib/simplejwt';
import { bodyParserError, DEFAULT_BODY_LIMIT_BYTES, PARSED_MEDIA_TYPES, tokenBodyParser } from './body';
import { MethodNotAllowed, ParseError } from './http-errors';
import type { CookieModeOptions } from '../lib/cookie-mode';
import { cookieView, type ViewCookies } from './cookie-view';

/** Options of the router factories and handlers. */
export interface TokenViewOptions<U = unknown> {
  /** The serializer to run instead of the one of the settings (or the default). */
  serializerClass?: SerializerClass<U>;
  /** Body-size limit in bytes (default {@link DEFAULT_BODY_LIMIT_BYTES}); routers only. */
  bodyLimit?: number;
  /** Cookie mode: tokens also in `HttpOnly` cookies, read back from them, with CSRF protection. Default off. */
  cookies?: CookieModeOptions;
}

/** The methods a token view answers; the `Allow` header of every response. */
export const ALLOWED_METHODS = 'POST, OPTIONS';
/** Token responses must not be cached (RFC 6749, section 5.1). */
const NO_STORE = { 'Cache-Control': 'no-store' } as const;
const STATUS_OK = 200;

/** The serializer settings, by view. */
export type SerializerSetting = SerializerSettingName;

/** What a view is: its serializer settings (first set wins) and default, and its OPTIONS metadata. */
export interface ViewDefinition {
  name: string;
  description: string;
  settings: readonly SerializerSetting[];
  /** The view authenticates credentials: the instance needs a user store. */
  needsUsers?: boolean;
  /** The view signs tokens: the instance needs a signing key (not a verify-only instance). */
  signs?: boolean;
  defaultSerializer: SerializerClass<never>;
  /** What the view does in cookie mode. */
  cookies?: ViewCookies;
}

/** `opts.serializerClass`, else the first serializer setting given (checked by the constructor), else the default. */
export function resolveSerializerClass<U>(sj: SimpleJWT<U>, view: ViewDefinition, opts: TokenViewOptions<U>): SerializerClass<U> {
  if (opts.serializerClass !== undefined) {
    if (!isSerializerClass(opts.serializerClass)) throw new TypeError("passport-simplejwt: 'serializerClass' must be a serializer class (a class with validate())");
    return opts.serializerClass;
  }
  for (const setting of view.settings) {
    const value = sj.options[setting];
    if (value !== undefined && value !== null) return value;
  }
  return view.defaultSerializer as unknown as SerializerClass<U>;
}

/**
 * Answers any error of a view: the package's as their JSON bodies (a 401
 * announcing the instance's first auth scheme, as Simple JWT's views do), an
 * outage as a 503 (fail closed); anything unexpected goes to Express's
 * `next(err)` as a 500 `ServerError`, for the app's error middleware to log.
 */
function sendViewError(sj: SimpleJWT<never>, res: Response, next: NextFunction, err: unknown, challenge: string): void {
  const error = asPackageError(err, sj.logger);
  if (error instanceof ServerError) return next(error);
  sendError(res, withChallenge(toAPIError(error), challenge));
}

/**
 * The plain handler of a view: runs the serializer on `req.body` (no body →
 * `{}`) and answers 200 with its result, or the error's JSON body.
 */
export function tokenViewHandler<U>(sj: SimpleJWT<U>, view: ViewDefinition, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  const SerializerCls = resolveSerializerClass(sj, view, opts);
  if (view.signs && !sj.backend.canSign) {
    throw new TypeError(`passport-simplejwt: the ${view.name} view signs tokens, but this instance only verifies (no private 'signingKey' for ${sj.settings.algorithm}): mount only the verify view here, or give it the signing key`);
  }
  if (view.needsUsers && !sj.users) throw new TypeError(`passport-simplejwt: the ${view.name} view needs the 'users' setting (a UserStore)`);
  const challenge = challengeFor(sj.settings.authHeaderTypes);
  const cookies = opts.cookies === undefined ? undefined : cookieView(sj, view, opts.cookies);
  return async (req: Request, res: Response, next: NextFunction) => {
    res.set('Allow', ALLOWED_METHODS);
    try {
      const serializer: TokenSerializer = new SerializerCls(sj);
      const data: unknown = cookies ? cookies.input(req) : req.body === undefined ? {} : req.body;
      const body = await serializer.validate(data, { req });
      res.status(STATUS_OK).set(NO_STORE).json(cookies ? cookies.output(req, res, body) : body);
    } catch (err) {
      sendViewError(sj as unknown as SimpleJWT<never>, res, next, err, challenge);
    }
  };
}

/**
 * The router of a view: POST on its own path (`/`) only, with its own body
 * parser; OPTIONS answers the view's metadata; other methods get 405; deeper
 * paths fall through to `next()`.
 */
export function tokenViewRouter<U>(sj: SimpleJWT<U>, view: ViewDefinition, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  const limit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new TypeError("passport-simplejwt: 'bodyLimit' must be a positive number of bytes");
  const handler = tokenViewHandler(sj, view, opts);
  const challenge = challengeFor(sj.settings.authHeaderTypes);
  // Only the body parser can fail before the handler: a bad body is always a 4xx.
  const onBodyError: ErrorRequestHandler = (err, req, res, next) => {
    res.set('Allow', ALLOWED_METHODS);
    sendViewError(sj as unknown as SimpleJWT<never>, res, next, err instanceof SimpleJWTError ? err : (bodyParserError(err, req, limit) ?? new ParseError('Malformed request.', err)), challenge);
  };
  const metadata = { name: view.name, description: view.description, renders: ['application/json'], parses: PARSED_MEDIA_TYPES };
  const router = Router();
  router
    .route('/')
    .post(tokenBodyParser(limit), handler, onBodyError)
    .options((_req, res) => {
      res.status(STATUS_OK).set('Allow', ALLOWED_METHODS).json(metadata);
    })
    .all((req, res) => {
      sendError(res, new MethodNotAllowed(req.method, ALLOWED_METHODS));
    });
  return router;
}
