import type { SimpleJWT } from '../simplejwt';
import { AccessToken } from '../tokens/access-token';
import { RefreshToken } from '../tokens/refresh-token';
import { SlidingToken } from '../tokens/sliding-token';
import type { Token } from '../tokens/token';
import { UntypedToken } from '../tokens/untyped-token';

/**
 * What a serializer's `getToken(user, sj)` needs of the instance: its bound
 * token classes. Any `SimpleJWT<U>` is one, whatever its user type.
 */
export type BoundTokenClasses = Pick<SimpleJWT, 'AccessToken' | 'RefreshToken' | 'SlidingToken' | 'UntypedToken'>;

const bound = new WeakMap<object, Map<typeof Token, typeof Token>>();

/**
 * The class a serializer's `tokenClass` stands for on one instance: the
 * package's base classes map to the instance's (`RefreshToken` →
 * `sj.RefreshToken`), a class already bound to `sj` is used as is, and an
 * app's subclass of a base class is bound once and remembered.
 */
export function bindTokenClass<C extends typeof Token>(instance: BoundTokenClasses, cls: C): C {
  if ((cls.sj as unknown) === instance) return cls;
  if ((cls as typeof Token) === AccessToken) return instance.AccessToken as unknown as C;
  if ((cls as typeof Token) === RefreshToken) return instance.RefreshToken as unknown as C;
  if ((cls as typeof Token) === SlidingToken) return instance.SlidingToken as unknown as C;
  if ((cls as typeof Token) === UntypedToken) return instance.UntypedToken as unknown as C;
  let classes = bound.get(instance);
  if (!classes) {
    classes = new Map();
    bound.set(instance, classes);
  }
  let Bound = classes.get(cls);
  if (!Bound) {
    Bound = class extends (cls as typeof Token) {};
    Object.defineProperty(Bound, 'name', { value: cls.name });
    Bound.sj = instance as SimpleJWT;
    classes.set(cls, Bound);
  }
  return Bound as C;
}
