/** A decoded claim set. Null-prototype, so claim names like `__proto__` stay plain data. */
export type Payload = Record<string, unknown>;

/** The JOSE header of a token, as the key resolver sees it. */
export interface JwtHeader {
  alg?: string;
  kid?: string;
  typ?: string;
}
