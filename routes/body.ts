import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { SimpleJWTError } from '../lib/errors';
import { ParseError, PayloadTooLarge, UnsupportedMediaType } from './http-errors';

/** The views' default body-size limit, in bytes. */
export const DEFAULT_BODY_LIMIT_BYTES = 100 * 1024;

/** The media types the views parse (Django REST Framework's JSONParser and FormParser). */
export const JSON_MEDIA_TYPE = 'application/json';
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
/** Shown as `parses` in the OPTIONS answer. */
export const PARSED_MEDIA_TYPES: readonly string[] = [JSON_MEDIA_TYPE, FORM_MEDIA_TYPE];

/** `type/subtype` of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaTypeOf(header: string | undefined): string {
  if (!header) return '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** Whether the request carries a body: a chunked one, or a Content-Length above zero (Django's rule). */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * An urlencoded body as Django's `QueryDict.get()` reads it: the last value of
 * a repeated key wins, `a[b]` is just a key named `a[b]`; no prototype.
 */
export function parseFormBody(text: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(text)) out[key] = value;
  return out;
}

/** A parse error's message without any piece of the body (V8 quotes the input). */
export function safeJsonErrorMessage(message: string): string {
  if (/is not valid JSON$/s.test(message) || message.includes('"')) return 'Unexpected token in JSON';
  return message;
}

/**
 * The body parser of the views: JSON (any JSON value, as Django REST
 * Framework's JSONParser) and urlencoded bodies up to `limitBytes`; no body →
 * `req.body` undefined; a body of any other content type → 415. A body an
 * app-level parser already read is left as it is.
 */
export function tokenBodyParser(limitBytes: number = DEFAULT_BODY_LIMIT_BYTES): RequestHandler {
  const any = (): boolean => true;
  const json = express.json({ strict: false, limit: limitBytes, type: any });
  const text = express.text({ limit: limitBytes, type: any, defaultCharset: 'utf-8' });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!hasBody(req)) return next();
    const contentType = req.headers['content-type'] ?? '';
    const type = mediaTypeOf(contentType);
    if (type === JSON_MEDIA_TYPE) return json(req, res, next);
    if (type === FORM_MEDIA_TYPE) {
      return text(req, res, (err?: unknown) => {
        if (err) return next(err);
        if (typeof req.body === 'string') req.body = parseFormBody(req.body);
        next();
      });
    }
    next(new UnsupportedMediaType(contentType));
  };
}

/** The package error a body-parser failure answers with (never a 5xx), or undefined for other errors. */
export function bodyParserError(err: unknown, req: Request, limitBytes: number): SimpleJWTError | undefined {
  if (err === null || typeof err !== 'object' || typeof (err as { type?: unknown }).type !== 'string') return undefined;
  const { type, message, encoding } = err as { type: string; message?: string; encoding?: string };
  switch (type) {
    case 'entity.too.large':
    case 'parameters.too.many':
      return new PayloadTooLarge(limitBytes, err);
    case 'entity.parse.failed':
      return new ParseError(`JSON parse error - ${safeJsonErrorMessage(String(message ?? ''))}`, err);
    case 'charset.unsupported':
      return new UnsupportedMediaType(req.headers['content-type'] ?? '');
    case 'encoding.unsupported':
      return new UnsupportedMediaType(req.headers['content-type'] ?? '', `Unsupported content encoding "${String(encoding ?? '')}" in request.`);
    default:
      // Aborted, truncated or otherwise unreadable bodies.
      return new ParseError('Malformed request.', err);
  }
}
