import { APIError } from '../lib/errors';

/**
 * The HTTP-level failures of the views (Django REST Framework's
 * `ParseError`, `UnsupportedMediaType`, `MethodNotAllowed`, and a 413).
 * They render as `{"detail": "..."}` as Django REST Framework does;
 * `PayloadTooLarge` adds its `code`.
 */

/** 400: the body is not valid JSON (or could not be read). */
export class ParseError extends APIError {
  constructor(detail = 'Malformed request.', cause?: unknown) {
    super(detail, 'parse_error', 400, cause);
  }

  override toJSON(): Record<string, unknown> {
    return { detail: this.detail };
  }
}

/** 415: a body of a content type the views do not parse. */
export class UnsupportedMediaType extends APIError {
  /** The Content-Type as the client sent it ('' when absent). */
  readonly mediaType: string;

  constructor(mediaType: string, detail = `Unsupported media type "${mediaType}" in request.`) {
    super(detail, 'unsupported_media_type', 415);
    this.mediaType = mediaType;
  }

  override toJSON(): Record<string, unknown> {
    return { detail: this.detail };
  }
}

/** 413: the body is over the views' size limit. */
export class PayloadTooLarge extends APIError {
  constructor(limitBytes: number, cause?: unknown) {
    super(`Request body is larger than the limit of ${limitBytes} bytes.`, 'payload_too_large', 413, cause);
  }
}

/** 405: the views answer POST (and OPTIONS) only; carries the `Allow` header. */
export class MethodNotAllowed extends APIError {
  constructor(method: string, allow: string) {
    super(`Method "${method}" not allowed.`, 'method_not_allowed', 405);
    this.headers.Allow = allow;
  }

  override toJSON(): Record<string, unknown> {
    return { detail: this.detail };
  }
}

/** 404 `{"detail": "Not found.", "code": "not_found"}` (Django REST Framework's `NotFound`): a session that is not one of the caller's. */
export class NotFound extends APIError {
  constructor(detail = 'Not found.') {
    super(detail, 'not_found', 404);
  }
}
