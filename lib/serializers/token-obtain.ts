import { AuthenticationFailed } from '../errors';
import { MASKED_PASSWORD } from '../settings';
import type { Token } from '../tokens/token';
import type { FieldSpec } from './fields';
import { Serializer, type SerializerContext } from './serializer';
import type { BoundTokenClasses } from './token-class';

/**
 * Checks credentials (Simple JWT's `TokenObtainSerializer`): the field named
 * by `usernameField` and a `password` field (a `PasswordField`: write-only,
 * never echoed in a response, an error or the `onLoginFailed` hook). Resolves
 * to `{}` and sets `this.user`; the pair and sliding serializers add tokens.
 *
 * @example
 * class EmailLogin extends TokenObtainPairSerializer<User> {
 *   static override usernameField = 'email';
 * }
 * app.use('/api/token/', tokenObtainPairRouter(sj, { serializerClass: EmailLogin }));
 */
export class TokenObtainSerializer<U = unknown> extends Serializer<U> {
  /** The login field; by default the `usernameField` setting. */
  static usernameField: string | null = null;
  /** The class `getToken()` issues; set by the subclasses. */
  static tokenClass: typeof Token | null = null;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    no_active_account: 'No active account found with the given credentials',
  };

  /** The authenticated user, once `validate()` has passed. */
  user?: U;

  /** The name of the login field of this serializer. */
  get usernameField(): string {
    return (this.constructor as typeof TokenObtainSerializer).usernameField ?? this.sj.settings.usernameField;
  }

  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: this.usernameField }, { name: 'password', password: true }];
  }

  /**
   * A new token of `tokenClass` for the user: the place to add custom claims.
   *
   * @example
   * class MyObtain extends TokenObtainPairSerializer<User> {
   *   static override async getToken(user: User, sj: SimpleJWT<User>) {
   *     const token = await super.getToken(user, sj);
   *     token.set('name', user.name);
   *     return token;
   *   }
   * }
   */
  static async getToken(user: unknown, sj: BoundTokenClasses): Promise<Token> {
    const cls = this.tokenClass;
    if (!cls) throw new TypeError(`passport-simplejwt: ${this.name} has no tokenClass`);
    return sj.bind(cls).forUser(user);
  }

  override async validate(data: unknown, context: SerializerContext = {}): Promise<object> {
    const attrs = this.parse(data);
    const field = this.usernameField;
    const username = attrs[field];
    this.sj.requireUsers();
    // Throttled (429) here, before any password is hashed.
    const attempt = await this.sj.beginLogin(username, context.req);
    const user = await this.sj.authenticate({ [field]: username, password: attrs.password }, context.req);
    if (!this.sj.userPolicy.authenticationRule(user)) {
      const onLoginFailed = this.sj.options.onLoginFailed;
      if (onLoginFailed) await onLoginFailed({ [field]: username, password: MASKED_PASSWORD }, context.req);
      throw new AuthenticationFailed(this.errorMessages.no_active_account, 'no_active_account');
    }
    await attempt.succeeded();
    this.user = user as U;
    return {};
  }
}
