import { expect } from 'chai';
import { SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { SECRET } from './fixtures';

/** Builds an instance (with the test secret) from options the type system would refuse: the checks are for JavaScript callers. */
export function build(options: Record<string, unknown>): SimpleJWT {
  return new SimpleJWT({ signingKey: SECRET, ...options } as SimpleJWTOptions);
}

/** Asserts the constructor refuses `options` with a TypeError carrying `message`. */
export function refused(options: Record<string, unknown>, message: string): void {
  expect(() => build(options)).to.throw(TypeError, `passport-simplejwt: ${message}`);
}
