import { ValidationError } from '../errors';

/**
 * Request fields parsed as Django REST Framework's `CharField` parses them:
 * strings trimmed, numbers turned into strings, every other type refused,
 * null characters and lone surrogates refused. Pure functions; no I/O.
 */

/** The messages of Django REST Framework's `CharField` and `Serializer`. */
export const FIELD_MESSAGES = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  invalid: 'Not a valid string.',
  nullCharacters: 'Null characters are not allowed.',
  noData: 'No data provided',
} as const;

/** The key Django REST Framework files errors that belong to no field under. */
export const NON_FIELD_ERRORS = 'non_field_errors';

/** One input field of a serializer. */
export interface FieldSpec {
  /** The key in the request body. */
  readonly name: string;
  /** A `PasswordField`: write-only, rendered as a password input, never echoed. */
  readonly password?: boolean;
}

/** The parsed, trimmed string values of the fields, by name. */
export type FieldValues = Record<string, string>;

/**
 * Python's `str.strip()` whitespace (`str.isspace()`), which differs from
 * JavaScript's `trim()` (Python strips U+001C–U+001F and U+0085, keeps U+FEFF).
 */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Strips surrounding whitespace as Python's `str.strip()` does. */
export function pyStrip(value: string): string {
  return value.replace(PY_STRIP, '');
}

/** Python's `type(x).__name__` of a decoded JSON value, for the "Expected a dictionary" message. */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'boolean':
      return 'bool';
    default:
      return value === null ? 'NoneType' : 'dict';
  }
}

/**
 * One value through `CharField`: the string, or the message it fails with.
 * `undefined` means the field was absent.
 */
export function parseCharField(value: unknown): { value: string } | { error: string } {
  if (value === undefined) return { error: FIELD_MESSAGES.required };
  if (value === null) return { error: FIELD_MESSAGES.null };
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return { error: FIELD_MESSAGES.invalid };
  const trimmed = pyStrip(text);
  if (trimmed === '') return { error: FIELD_MESSAGES.blank };
  if (trimmed.includes('\u0000')) return { error: FIELD_MESSAGES.nullCharacters };
  const surrogate = LONE_SURROGATE.exec(trimmed);
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    return { error: `Surrogate characters are not allowed: U+${code}.` };
  }
  return { value: trimmed };
}

/**
 * Parses a request body against the fields, as a Django REST Framework
 * serializer's `is_valid()` does before `validate()`: every field is checked
 * and all errors are reported together (in field order); unknown keys are ignored.
 *
 * @throws ValidationError 400 with `{"<field>": ["..."]}` or `{"non_field_errors": ["..."]}`
 */
export function parseFields(data: unknown, fields: ReadonlyArray<FieldSpec>): FieldValues {
  if (data === null || data === undefined) throw new ValidationError({ [NON_FIELD_ERRORS]: [FIELD_MESSAGES.noData] });
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationError({ [NON_FIELD_ERRORS]: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`] });
  }
  const values: FieldValues = Object.create(null) as FieldValues;
  const errors: Record<string, string[]> = {};
  let failed = false;
  for (const field of fields) {
    const raw = Object.prototype.hasOwnProperty.call(data, field.name) ? (data as Record<string, unknown>)[field.name] : undefined;
    const result = parseCharField(raw);
    if ('error' in result) {
      errors[field.name] = [result.error];
      failed = true;
    } else {
      values[field.name] = result.value;
    }
  }
  if (failed) throw new ValidationError(errors);
  return values;
}
