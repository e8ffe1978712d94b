import type { Response } from 'supertest';

/** One Set-Cookie of a response: its value and attributes (names lower-case, flags as ''). */
export interface SetCookie {
  value: string;
  attributes: Record<string, string>;
}

/** The response's Set-Cookie headers by cookie name. */
export function setCookies(res: Response): Record<string, SetCookie> {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const out: Record<string, SetCookie> = {};
  for (const line of raw ?? []) {
    const [pair, ...attrs] = line.split(/;\s*/);
    const eq = pair.indexOf('=');
    const attributes: Record<string, string> = {};
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      attributes[(i === -1 ? attr : attr.slice(0, i)).toLowerCase()] = i === -1 ? '' : attr.slice(i + 1);
    }
    out[pair.slice(0, eq)] = { value: decodeURIComponent(pair.slice(eq + 1)), attributes };
  }
  return out;
}

/** A `Cookie` request header from name/value pairs. */
export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}
