import { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { CookieModeOptions } from '../lib/http/cookie-mode';
import { sendError, toAPIError } from '../lib/http/error-handler';
import { ServerError, SimpleJWTError, challengeFor, withChallenge } from '../lib/errors';
import { asPackageError } from '../lib/storage/fail-closed';
import { deadlineIn, withinDeadline } from '../lib/storage/deadline';
import type { SerializerClass, SerializerSettingName, TokenSerializer } from '../lib/serializers/serializer';
import { isSerializerClass } from '../lib/settings/parse';
import type { SimpleJWT } from '../lib/simplejwt';
import { bodyParserError, DEFAULT_BODY_LIMIT_BYTES, PARSED_MEDIA_TYPES, tokenBodyParser } from './body';
import { cookieView, type ViewCookies } from './cookie-view';
import { MethodNotAllowed, ParseError } from './http-errors';

/**
 * The one generic view (Simple JWT's `TokenViewBase`): every token endpoint is
 * a {@link ViewSpec}, a row of the table in `./views`, served by
 * {@link viewRouter} or {@link viewHandler}. Beside what its row lists, every
 * router may answer 405 (a method other than POST or OPTIONS), 413 (a body over
 * `bodyLimit`), 415 (a body it does not parse), 400 (malformed JSON) and, in
 * cookie mode, 403 (a failed CSRF or origin check).
 */

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

/** When `tokenRouter` mounts a view. */
export type MountedWhen =
  /** Always. */
  | 'always'
  /** With `apps.blacklist`. */
  | 'blacklistApp'
  /** With `tokenFamilyEnabled`. */
  | 'tokenFamilyEnabled'
  /** When sliding tokens can authenticate (or `sliding: true`). */
  | 'sliding'
  /** In cookie mode (`cookies` given). */
  | 'cookieMode';

/** The statuses a view's serializer may answer, with what each means; documentation the route tests hold the views to. */
export type ViewAnswers = { readonly 200: string } & Partial<Readonly<Record<400 | 401 | 429 | 501 | 503, string>>>;

/**
 * A check a view runs before anything else: before its router reads the body,
 * first thing in its plain handler. It throws (or rejects with) a package
 * error to answer with it: a 429 for an address already blocked, say, without
 * parsing the body. Outages and bugs are answered as the view's own (503, 500).
 */
export type ViewCheck = (req: Request) => void | Promise<void>;

/** What a view is: a row of the view table. */
export interface ViewSpec {
  /** The OPTIONS answer's `name` (Django REST Framework's view name). */
  name: string;
  /** The OPTIONS answer's `description`. */
  description: string;
  /** Its path under `tokenRouter` (Simple JWT's customary one). */
  path: string;
  /** When `tokenRouter` mounts it. */
  mounted: MountedWhen;
  /** Its serializer settings (the first one set wins)… */
  settings: readonly SerializerSetting[];
  /** …and the serializer it runs when none is set. */
  defaultSerializer: SerializerClass<never>;
  /** The view authenticates credentials: the instance needs a user store. */
  needsUsers?: boolean;
  /** The view signs tokens: the instance needs a signing key (not a verify-only instance). */
  signs?: boolean;
  /** What its serializer may answer. */
  answers: ViewAnswers;
  /** What the view does in cookie mode. */
  cookies?: ViewCookies;
  /** Makes the view's early check for an instance (see {@link ViewCheck}); undefined: none. */
  before?: (sj: SimpleJWT<never>) => ViewCheck | undefined;
}

/** `opts.serializerClass`, else the first serializer setting given (checked by the constructor), else the default. */
function resolveSerializerClass<U>(sj: SimpleJWT<U>, view: ViewSpec, opts: TokenViewOptions<U>): SerializerClass<U> {
  if (opts.serializerClass !== undefined) {
    if (!isSerializerClass(opts.serializerClass))
      throw new TypeError("passport-simplejwt: 'serializerClass' must be a serializer class (a class with validate())");
    return opts.serializerClass;
  }
  for (const setting of view.settings) {
    const value = sj.options[setting];
    if (value !== undefined && value !== null) return value as unknown as SerializerClass<U>;
  }
  return view.defaultSerializer as unknown as SerializerClass<U>;
}

/** One view made for one instance: its early check, its answer to a parsed request, and its error answer. */
interface BuiltView {
  check: ViewCheck | undefined;
  /** Runs the serializer on `req.body` (none → `{}`) and answers 200 with its result. Throws what the serializer throws. */
  serve(req: Request, res: Response): Promise<void>;
  /**
   * Answers any error of the view: the package's as their JSON bodies (a 401
   * announcing the instance's first auth scheme, as Simple JWT's views do), an
   * outage as a 503 (fail closed); anything unexpected goes to Express's
   * `next(err)` as a 500 `ServerError`, for the app's error middleware to log.
   */
  fail(res: Response, next: NextFunction, err: unknown): void;
}

/** Checks the view's needs against the instance once, at construction (a misconfiguration is a `TypeError` then, not a 500 later). */
function buildView<U>(sj: SimpleJWT<U>, view: ViewSpec, opts: TokenViewOptions<NoInfer<U>>): BuiltView {
  const SerializerCls = resolveSerializerClass(sj, view, opts);
  if (view.signs && !sj.backend.canSign) {
    throw new TypeError(
      `passport-simplejwt: the ${view.name} view signs tokens, but this instance only verifies (no private 'signingKey' for ${sj.settings.algorithm}): mount only the verify view here, or give it the signing key`,
    );
  }
  if (view.needsUsers && !sj.users) throw new TypeError(`passport-simplejwt: the ${view.name} view needs the 'users' setting (a UserStore)`);
  const anySj = sj as unknown as SimpleJWT<never>;
  const challenge = challengeFor(sj.settings.authHeaderTypes);
  const cookies = opts.cookies === undefined ? undefined : cookieView(sj, view, opts.cookies);
  return {
    check: view.before?.(anySj),
    async serve(req, res) {
      const serializer: TokenSerializer = new SerializerCls(sj);
      const data: unknown = cookies ? cookies.input(req) : req.body === undefined ? {} : req.body;
      // One deadline for the whole request (docs/production.md, "Deadlines: `storageTimeout`"): the login's wait for a slot, authenticate(), the hooks and
      // the throttle, the refresh's reads and its rotation all end with it; the rotation commits before it or never.
      const ms = sj.settings.storageTimeout * 1000;
      const body = await withinDeadline(serializer.validate(data, { req, deadline: deadlineIn(ms) }), ms);
      res
        .status(STATUS_OK)
        .set(NO_STORE)
        .json(cookies ? cookies.output(req, res, body) : body);
    },
    fail(res, next, err) {
      res.set('Allow', ALLOWED_METHODS);
      const error = asPackageError(err, anySj.logger);
      if (error instanceof ServerError) return next(error);
      sendError(res, withChallenge(toAPIError(error), challenge));
    },
  };
}

/**
 * The plain handler of a view: its early check, then the serializer on
 * `req.body` (no body → `{}`); 200 with the serializer's result, or the
 * error's JSON body.
 */
export function viewHandler<U>(sj: SimpleJWT<U>, view: ViewSpec, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  const { check, serve, fail } = buildView(sj, view, opts);
  return async (req: Request, res: Response, next: NextFunction) => {
    res.set('Allow', ALLOWED_METHODS);
    try {
      if (check) await check(req);
      await serve(req, res);
    } catch (err) {
      fail(res, next, err);
    }
  };
}

/**
 * The router of a view: POST on its own path (`/`) only, its early check
 * before its own body parser; OPTIONS answers the view's metadata; other
 * methods get 405; deeper paths fall through to `next()`.
 */
export function viewRouter<U>(sj: SimpleJWT<U>, view: ViewSpec, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  const limit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new TypeError("passport-simplejwt: 'bodyLimit' must be a positive number of bytes");
  const { check, serve, fail } = buildView(sj, view, opts);
  const early: RequestHandler[] = check
    ? [
        (req, res, next) => {
          Promise.resolve()
            .then(() => check(req))
            .then(
              () => next(),
              (err: unknown) => fail(res, next, err),
            );
        },
      ]
    : [];
  const handler: RequestHandler = (req, res, next) => {
    res.set('Allow', ALLOWED_METHODS);
    serve(req, res).catch((err: unknown) => fail(res, next, err));
  };
  // Only the body parser can fail between the check and the handler: a bad body is always a 4xx.
  const onBodyError: ErrorRequestHandler = (err, req, res, next) => {
    fail(res, next, err instanceof SimpleJWTError ? err : (bodyParserError(err, req, limit) ?? new ParseError('Malformed request.', err)));
  };
  const metadata = { name: view.name, description: view.description, renders: ['application/json'], parses: PARSED_MEDIA_TYPES };
  const router = Router();
  router
    .route('/')
    .post(...early, tokenBodyParser(limit), onBodyError, handler)
    .options((_req, res) => {
      res.status(STATUS_OK).set('Allow', ALLOWED_METHODS).json(metadata);
    })
    .all((req, res) => {
      sendError(res, new MethodNotAllowed(req.method, ALLOWED_METHODS));
    });
  return router;
}
