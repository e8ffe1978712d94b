import { Router } from 'express';
import type { CookieModeOptions } from '../lib/http/cookie-mode';
import type { SimpleJWT } from '../lib/simplejwt';
import { rememberTokenPath } from './cookie-view';
import { viewRouter, type MountedWhen } from './view';
import { VIEWS } from './views';

/** Options of {@link tokenRouter}. */
export interface TokenRouterOptions {
  /**
   * Mount the sliding views (`/sliding/`, `/sliding/refresh/`). Default: when
   * `authTokenClasses` accepts sliding tokens, since otherwise a sliding token
   * could not authenticate anything.
   */
  sliding?: boolean;
  /** Body-size limit in bytes for every view. */
  bodyLimit?: number;
  /**
   * Cookie mode for every view (tokens also in `HttpOnly` cookies, read back
   * from them with CSRF protection) and a `/logout/` view. The refresh
   * cookie's `Path` defaults to this router's mount path. Default off.
   */
  cookies?: CookieModeOptions;
}

/** Whether one of the instance's `authTokenClasses` is a sliding token class. */
function acceptsSlidingTokens(sj: SimpleJWT<never>): boolean {
  const slidingType = sj.SlidingToken.tokenType;
  return sj.authTokenClasses.some((cls) => cls === sj.SlidingToken || cls.prototype instanceof sj.SlidingToken || cls.tokenType === slidingType);
}

/**
 * Every enabled token view at Simple JWT's customary paths, for
 * `app.use('/api/token/', tokenRouter(sj))`:
 *
 * | path | view | mounted |
 * |---|---|---|
 * | `/` | obtain pair | always |
 * | `/refresh/` | refresh | always |
 * | `/verify/` | verify | always |
 * | `/blacklist/` | blacklist | with the blacklist app |
 * | `/family/blacklist/` | family blacklist | with `tokenFamilyEnabled` |
 * | `/sliding/`, `/sliding/refresh/` | sliding obtain, refresh | when `authTokenClasses` accepts sliding tokens (or `sliding: true`) |
 * | `/logout/` | log out (blacklist, clear the cookies) | in cookie mode (`cookies`) |
 *
 * Serializers come from the settings (`tokenObtainPairSerializer`, …); mount
 * the single routers to pass `serializerClass` to one view.
 *
 * @example
 * const sj = new SimpleJWT({ signingKey: process.env.JWT_SECRET!, users });
 * app.use('/api/token/', tokenRouter(sj));
 * // POST /api/token/ {"username": "...", "password": "..."} → {"refresh": "...", "access": "..."}
 */
export function tokenRouter<U>(sj: SimpleJWT<U>, options: TokenRouterOptions = {}): Router {
  const { apps, tokenFamilyEnabled } = sj.settings;
  const mounts: Record<MountedWhen, boolean> = {
    always: true,
    blacklistApp: apps.blacklist,
    tokenFamilyEnabled,
    sliding: options.sliding ?? acceptsSlidingTokens(sj as unknown as SimpleJWT<never>),
    cookieMode: options.cookies !== undefined,
  };
  const opts = {
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.cookies === undefined ? {} : { cookies: options.cookies }),
  };
  const router = Router();
  if (mounts.cookieMode) router.use(rememberTokenPath());
  // Each view answers its own path only, so the order of the table does not matter.
  for (const view of Object.values(VIEWS)) {
    if (mounts[view.mounted]) router.use(view.path, viewRouter(sj, view, opts));
  }
  return router;
}
