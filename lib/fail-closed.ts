import { ServiceUnavailable, SimpleJWTError } from './errors';

/** Errors of the database or cache become a 503: fail closed, never a 500 or a pass. */
export async function failClosed<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw asPackageError(err);
  }
}

/** The package's own errors pass; anything else is a failing service: 503. */
export function asPackageError(err: unknown): SimpleJWTError {
  return err instanceof SimpleJWTError ? err : new ServiceUnavailable(undefined, err);
}
