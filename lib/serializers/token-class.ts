import type { SimpleJWT } from '../simplejwt';

/**
 * What a serializer's `getToken(user, sj)` needs of the instance: its bound
 * token classes and its binder. Any `SimpleJWT<U>` is one, whatever its user type.
 */
export type BoundTokenClasses = Pick<SimpleJWT, 'AccessToken' | 'RefreshToken' | 'SlidingToken' | 'UntypedToken' | 'bind'>;
