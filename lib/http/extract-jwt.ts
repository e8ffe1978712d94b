import type { Request } from 'express';
import { readCookie } from './cookies';

/**
 * Finds the raw token in a request, or answers null (then the strategy
 * fails with 401 and other strategies of a chain may run). Pure: it reads
 * the request and changes nothing.
 */
export type JwtFromRequest = (req: Request) => string | null;

/** `scheme token` with any whitespace between, as passport-jwt's auth_header.js reads it. */
const AUTH_HEADER = /^\s*(\S+)\s+(\S+)\s*$/;
const AUTHORIZATION = 'authorization';

function requireName(factory: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`passport-simplejwt: ExtractJwt.${factory} needs a non-empty string`);
  return value;
}

function firstHeaderValue(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A non-empty string, else null. */
function tokenOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Token extractors with passport-jwt's names and behaviour, for the
 * strategies' `jwtFromRequest` option. Each factory returns a small pure
 * function `(req) => string | null`.
 *
 * @example
 * new JWTStrategy(sj, {
 *   jwtFromRequest: ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), ExtractJwt.fromUrlQueryParameter('token')]),
 * });
 */
export const ExtractJwt = {
  /** The value of the header `headerName` (any case), as it is. */
  fromHeader(headerName: string): JwtFromRequest {
    const name = requireName('fromHeader', headerName).toLowerCase();
    return (req) => tokenOrNull(firstHeaderValue(req, name));
  },

  /** The string field `fieldName` of an already parsed `req.body`. */
  fromBodyField(fieldName: string): JwtFromRequest {
    const field = requireName('fromBodyField', fieldName);
    return (req) => {
      const body: unknown = req.body;
      if (body === null || typeof body !== 'object' || !Object.prototype.hasOwnProperty.call(body, field)) return null;
      return tokenOrNull((body as Record<string, unknown>)[field]);
    };
  },

  /** The query parameter `paramName` of the request URL (first value). Tokens in URLs end up in logs: prefer a header. */
  fromUrlQueryParameter(paramName: string): JwtFromRequest {
    const param = requireName('fromUrlQueryParameter', paramName);
    return (req) => {
      const url = req.originalUrl ?? req.url;
      const query = url.indexOf('?');
      return query === -1 ? null : tokenOrNull(new URLSearchParams(url.slice(query + 1)).get(param));
    };
  },

  /** The token of an `Authorization: <scheme> <token>` header; the scheme compares case-insensitively, as passport-jwt. */
  fromAuthHeaderWithScheme(authScheme: string): JwtFromRequest {
    const scheme = requireName('fromAuthHeaderWithScheme', authScheme).toLowerCase();
    return (req) => {
      const header = firstHeaderValue(req, AUTHORIZATION);
      if (typeof header !== 'string') return null;
      const match = AUTH_HEADER.exec(header);
      return match && match[1].toLowerCase() === scheme ? match[2] : null;
    };
  },

  /** `Authorization: Bearer <token>`. */
  fromAuthHeaderAsBearerToken(): JwtFromRequest {
    return ExtractJwt.fromAuthHeaderWithScheme('bearer');
  },

  /**
   * The cookie `cookieName` (from `req.cookies` when cookie-parser ran, else
   * the `Cookie` header). A strategy that authenticates with a cookie
   * enforces CSRF protection on unsafe methods.
   */
  fromCookie(cookieName: string): JwtFromRequest {
    const name = requireName('fromCookie', cookieName);
    return (req) => readCookie(req, name);
  },

  /** The first token any of `extractors` finds, in order. */
  fromExtractors(extractors: readonly JwtFromRequest[]): JwtFromRequest {
    if (!Array.isArray(extractors) || !extractors.every((e) => typeof e === 'function')) {
      throw new TypeError('passport-simplejwt: ExtractJwt.fromExtractors needs an array of extractor functions');
    }
    const list = [...extractors];
    return (req) => {
      for (const extract of list) {
        const token = extract(req);
        if (token !== null && token !== undefined) return token;
      }
      return null;
    };
  },
} as const;
