import type { Token } from './token';

type Claims = Record<string, unknown>;

function claimsOf(token: Token | Claims): Claims {
  return typeof (token as Token).get === 'function' && 'payload' in token ? (token as Token).payload : (token as Claims);
}

/** The trap of every TokenUser: one object for all of them (issue #25: not one per request). */
const CLAIM_FALLBACK: ProxyHandler<TokenUser> = {
  get(target, property, receiver) {
    if (typeof property === 'symbol' || property in target) return Reflect.get(target, property, receiver);
    const claims = claimsOf(target.token);
    return Object.prototype.hasOwnProperty.call(claims, property) ? claims[property] : undefined;
  },
};

/**
 * The user of a stateless request: built from the token's claims, never
 * loaded from a database (Simple JWT's TokenUser). Properties it does not
 * define read the claim of that name.
 *
 * @example
 * passport.use(new JWTStatelessStrategy(sj));
 * app.get('/me', jwtAuth('passport-simplejwt-stateless'), (req, res) => res.json({ id: (req.user as TokenUser).id }));
 */
export class TokenUser {
  /** Readable as any claim: `user.email` is the `email` claim. */
  [claim: string]: unknown;

  readonly token: Token | Claims;
  readonly isActive = true;
  readonly isAuthenticated = true;
  readonly isAnonymous = false;
  private readonly userIdClaim: string;

  constructor(token: Token | Claims, userIdClaim = 'user_id') {
    this.token = token;
    this.userIdClaim = userIdClaim;
    // Unknown properties fall back to the claims, as Python's __getattr__.
    return new Proxy(this, CLAIM_FALLBACK);
  }

  private claim(name: string): unknown {
    const claims = claimsOf(this.token);
    return Object.prototype.hasOwnProperty.call(claims, name) ? claims[name] : undefined;
  }

  get id(): string {
    return String(this.claim(this.userIdClaim));
  }

  get pk(): string {
    return this.id;
  }

  get username(): string {
    const value = this.claim('username');
    return typeof value === 'string' ? value : '';
  }

  get isStaff(): boolean {
    return this.claim('is_staff') === true || this.claim('isStaff') === true;
  }

  get isSuperuser(): boolean {
    return this.claim('is_superuser') === true || this.claim('isSuperuser') === true;
  }

  get groups(): string[] {
    return [];
  }

  get userPermissions(): string[] {
    return [];
  }

  hasPerm(_perm: string): boolean {
    return false;
  }

  equals(other: unknown): boolean {
    return other instanceof TokenUser && other.id === this.id;
  }

  toString(): string {
    return `TokenUser ${this.id}`;
  }

  /**
   * What `res.json(req.user)` shows: the identity, never the token itself
   * (serialising the token would re-sign it, and a verify-only setup cannot).
   */
  toJSON(): { id: string; username: string; isStaff: boolean; isSuperuser: boolean } {
    return { id: this.id, username: this.username, isStaff: this.isStaff, isSuperuser: this.isSuperuser };
  }

  save(): never {
    throw new Error('TokenUser has no database representation');
  }

  delete(): never {
    throw new Error('TokenUser has no database representation');
  }

  setPassword(_password: string): never {
    throw new Error('TokenUser has no database representation');
  }

  checkPassword(_password: string): never {
    throw new Error('TokenUser has no database representation');
  }
}
