import type { Request } from 'express';
import type { SimpleJWTOptions } from '../settings';
import type { SimpleJWT } from '../simplejwt';
import type { Token } from '../tokens/token';
import { parseFields, type FieldSpec, type FieldValues } from './fields';

/** What a view passes to `validate()` besides the body. */
export interface SerializerContext {
  /** The request (given to `users.authenticate()` and the login hooks). */
  req?: Request;
  /**
   * When the request gives up (epoch ms): the view's one deadline,
   * `storageTimeout` from the request's start. A write not committed by
   * then (a rotation) is never committed. Default: each write's own.
   */
  deadline?: number;
}

/** Anything a view can run: `validate()` resolves to the 200 body or throws. */
export interface TokenSerializer {
  validate(data: unknown, context?: SerializerContext): Promise<object>;
}

/**
 * The instance as a serializer holds it: everything of `SimpleJWT<U>`, with
 * the options that do not depend on the user type. Any `SimpleJWT<U>` is one,
 * so `class MyObtain extends TokenObtainPairSerializer {}` (no type argument)
 * still takes a `SimpleJWT<User>`.
 */
export type SerializerHost<U = unknown> = Omit<SimpleJWT<U>, 'options'> & {
  readonly options: Readonly<Omit<SimpleJWTOptions, 'users' | 'userAuthenticationRule' | 'onLoginSuccess' | SerializerSettingName>>;
};

/** The settings that name a view's serializer class. */
export type SerializerSettingName =
  | 'tokenObtainSerializer'
  | 'tokenObtainPairSerializer'
  | 'tokenObtainSlidingSerializer'
  | 'tokenRefreshSerializer'
  | 'tokenRefreshSlidingSerializer'
  | 'tokenVerifySerializer'
  | 'tokenBlacklistSerializer'
  | 'tokenFamilyBlacklistSerializer';

/** A serializer class a view instantiates per request with the instance. */
export type SerializerClass<U = unknown> = new (sj: SimpleJWT<U>) => TokenSerializer;

/**
 * Base of the token serializers (Django REST Framework's `Serializer`): the
 * fields it reads, parsed as `CharField`s, and the instance it works for.
 * Subclass a concrete serializer rather than this class.
 *
 * @example
 * class WithUsername extends TokenObtainPairSerializer<User> {
 *   override async validate(data: unknown, context?: SerializerContext) {
 *     const body = await super.validate(data, context);
 *     return { ...body, username: this.user!.username };
 *   }
 * }
 */
export abstract class Serializer<U = unknown> implements TokenSerializer {
  /** Error messages by key; subclasses extend them (Django REST Framework's `default_error_messages`). */
  static defaultErrorMessages: Readonly<Record<string, string>> = {};

  /** The instance whose settings, tokens and users this serializer uses. */
  readonly sj: SerializerHost<U>;

  constructor(sj: SerializerHost<U>) {
    this.sj = sj;
  }

  /** The input fields, in the order their errors are reported. */
  abstract get fields(): ReadonlyArray<FieldSpec>;

  /** The class's `defaultErrorMessages`, merged down the class chain. */
  get errorMessages(): Readonly<Record<string, string>> {
    const chain: Array<Readonly<Record<string, string>>> = [];
    for (
      let cls = this.constructor as typeof Serializer | null;
      cls && cls !== Function.prototype;
      cls = Object.getPrototypeOf(cls) as typeof Serializer | null
    ) {
      if (Object.prototype.hasOwnProperty.call(cls, 'defaultErrorMessages')) chain.unshift(cls.defaultErrorMessages);
    }
    return Object.assign({}, ...chain) as Record<string, string>;
  }

  /** Parses the body against `fields` (400 `ValidationError` on bad input). */
  protected parse(data: unknown): FieldValues {
    return parseFields(data, this.fields);
  }

  /** `cls` bound to this serializer's instance (see `tokenClass`). */
  protected bound<C extends typeof Token>(cls: C): C {
    return this.sj.bind(cls);
  }

  /** Parses `data` and returns the 200 body, or throws a package error. */
  abstract validate(data: unknown, context?: SerializerContext): Promise<object>;
}
