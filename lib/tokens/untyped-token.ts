import { Token } from './token';

/**
 * Any token of this instance, whatever its type (used by the verify view).
 *
 * @example
 * new sj.UntypedToken(raw); // throws TokenError unless signature and exp are good
 */
export class UntypedToken extends Token {
  static override tokenType: string | null = 'untyped';
  static override lifetime = 0;

  override verifyTokenType(): void {
    // Untyped tokens accept every type.
  }
}
