import type { SimpleJWT } from '../simplejwt';
import type { Token } from '../tokens/token';

/**
 * What a serializer's `getToken(user, sj)` needs of the instance: its bound
 * token classes and its binder. Any `SimpleJWT<U>` is one, whatever its user type.
 */
export type BoundTokenClasses = Pick<SimpleJWT, 'AccessToken' | 'RefreshToken' | 'SlidingToken' | 'UntypedToken' | 'bind'>;

/**
 * The class a serializer's `tokenClass` stands for on one instance
 * (`sj.bind(cls)`): the package's base classes map to the instance's
 * (`RefreshToken` → `sj.RefreshToken`), a class already bound to `sj` is used
 * as is, and an app's subclass of a base class is bound once and remembered.
 */
export function bindTokenClass<C extends typeof Token>(instance: BoundTokenClasses, cls: C): C {
  return instance.bind(cls);
}
