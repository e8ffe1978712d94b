// The small parsers the settings table is made of. Each takes the value the
// app gave (never `undefined`: absent settings take the table's default) and
// the setting's name, and returns the resolved value or throws a TypeError
// naming the setting.
import { parseDuration } from '../duration';

/** Throws the package's configuration error: a TypeError whose message names the setting. */
export function fail(message: string): never {
  throw new TypeError(`passport-simplejwt: ${message}`);
}

/** A parser of one setting's given value. */
export type Parser<R> = (value: unknown, name: string) => R;

/** A shape check of a setting the instance uses as given (an object or function of the app). */
export type Check = (value: unknown, name: string) => void;

export const boolean: Parser<boolean> = (value, name) => {
  if (typeof value !== 'boolean') fail(`'${name}' must be a boolean`);
  return value;
};

export const nonEmptyString: Parser<string> = (value, name) => {
  if (typeof value !== 'string' || value === '') fail(`'${name}' must be a non-empty string`);
  return value;
};

export const nonEmptyStringOrNull: Parser<string | null> = (value, name) => {
  if (value === null) return null;
  if (typeof value !== 'string' || value === '') fail(`'${name}' must be a non-empty string or null`);
  return value;
};

/** A duration (seconds, or a string such as `'5m'`), in seconds. */
export const seconds: Parser<number> = (value, name) => {
  const parsed = parseDuration(value);
  if (parsed === undefined) fail(`'${name}' must be a number of seconds or a duration string such as '5m' or '1d'`);
  return parsed;
};

/** A duration, or `null` (never). */
export const secondsOrNull: Parser<number | null> = (value, name) => (value === null ? null : seconds(value, name));

/** A duration longer than zero. */
export const positiveSeconds: Parser<number> = (value, name) => {
  const parsed = seconds(value, name);
  if (!(parsed > 0)) fail(`'${name}' must be a positive duration`);
  return parsed;
};

export const positiveInteger: Parser<number> = (value, name) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(`'${name}' must be a positive integer`);
  return value;
};

/** A function, or `null` (the setting's default behaviour, or none). */
export function functionOrNull<F extends (...args: never[]) => unknown>(): Parser<F | null> {
  return (value, name) => {
    if (value !== null && typeof value !== 'function') fail(`'${name}' must be a function`);
    return value as F | null;
  };
}

/** A check for the function settings the instance calls as given. */
export const isFunctionOrNull: Check = (value, name) => {
  functionOrNull()(value, name);
};

/** Settings whose `null` means "the default", as `??` read them before the table. */
export function nullIsDefault<R>(parse: Parser<R>, fallback: R): Parser<R> {
  return (value, name) => (value === null ? fallback : parse(value, name));
}

/** A class a view instantiates with the instance and whose objects have `validate()`. */
export function isSerializerClass(value: unknown): boolean {
  return typeof value === 'function' && typeof (value as { prototype?: { validate?: unknown } }).prototype?.validate === 'function';
}

/** A serializer setting: a serializer class, or `null` (the view's default). */
export const serializerClassOrNull: Check = (value, name) => {
  if (value !== null && !isSerializerClass(value)) fail(`'${name}' must be a serializer class (a class with validate())`);
};

/** An object (or function) whose `methods` are functions. */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const record = value as Record<string, unknown>;
  return methods.every((method) => typeof record[method] === 'function');
}

/**
 * 'HTTP_X_ACCESS_TOKEN' (Django's META name) → 'x-access-token'; any other
 * header name is lower-cased, as Node stores them.
 */
export function normaliseHeaderName(name: string): string {
  const django = /^HTTP_(.+)$/.exec(name);
  return (django ? django[1].replace(/_/g, '-') : name).toLowerCase();
}
