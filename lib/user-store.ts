import type { Request } from 'express';
import type { Model, ModelStatic } from 'sequelize';

/**
 * How the package reaches the app's users (Django's User model and
 * `authenticate()`). The app owns the model; the package only asks.
 *
 * @example
 * const users: UserStore<User> = {
 *   findById: (id) => db.users.find(id),
 *   authenticate: async ({ username, password }) => {
 *     const user = await db.users.byName(username);
 *     return user && (await bcrypt.compare(password, user.passwordHash)) ? user : null;
 *   },
 * };
 */
export interface UserStore<U = unknown> {
  /** The user whose id (a string, as tokens carry it) is `id`, or null. */
  findById(id: string): Promise<U | null>;
  /** The user these credentials belong to, or null (Django's `authenticate()`). */
  authenticate(credentials: Record<string, string>, req?: Request): Promise<U | null>;
  /** Default: `user.isActive ?? user.is_active ?? true`. */
  isActive?(user: U): boolean;
  /** Default: `user.password` (for checkRevokeToken). */
  getPasswordHash?(user: U): string;
  /** Called on login when updateLastLogin is on. */
  updateLastLogin?(user: U): Promise<void>;
}

/** Options of {@link sequelizeUserStore}. */
export interface SequelizeUserStoreOptions<U> {
  /** Attribute holding the login name. Default `'username'`. */
  usernameField?: string;
  /** Attribute holding the password hash. Default `'password'`. */
  passwordField?: string;
  /** Checks a plain password against the user (bcrypt, argon2, …). */
  verifyPassword: (plain: string, user: U) => boolean | Promise<boolean>;
  /** Attribute set to now on login with updateLastLogin. Default `'last_login'`, or `'lastLogin'` if the model has it. */
  lastLoginField?: string;
}

/** Bits of each integer key type: an id out of range finds no user instead of a database error. */
const INTEGER_BITS: Readonly<Record<string, number>> = { TINYINT: 8, SMALLINT: 16, MEDIUMINT: 24, INTEGER: 32, BIGINT: 64 };
const INTEGER_ID = /^-?\d{1,20}$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * A {@link UserStore} over a Sequelize model. Ids that cannot be a primary
 * key of the model (a word for an integer key) find no user instead of
 * making the database raise.
 *
 * @example
 * const users = sequelizeUserStore(User, { verifyPassword: (plain, user) => bcrypt.compare(plain, user.password) });
 */
export function sequelizeUserStore<M extends Model>(model: ModelStatic<M>, options: SequelizeUserStoreOptions<M>): UserStore<M> {
  if (typeof options?.verifyPassword !== 'function') throw new TypeError("passport-simplejwt: sequelizeUserStore needs 'verifyPassword'");
  const usernameField = options.usernameField ?? 'username';
  const passwordField = options.passwordField ?? 'password';
  const attributes = model.getAttributes() as Record<string, { type?: { key?: string } }>;
  const lastLoginField = options.lastLoginField ?? (attributes.lastLogin && !attributes.last_login ? 'lastLogin' : 'last_login');
  const pkAttribute = attributes[model.primaryKeyAttribute] as { type?: { key?: string; options?: { unsigned?: boolean } } } | undefined;
  const pkType = pkAttribute?.type?.key ?? '';
  const bits = INTEGER_BITS[pkType];
  // Range of the key computed once: [min, max] as bigints.
  const range = bits === undefined ? undefined
    : pkAttribute?.type?.options?.unsigned ? [0n, (1n << BigInt(bits)) - 1n]
      : [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
  const validId = (id: string): boolean => {
    if (range) {
      if (!INTEGER_ID.test(id)) return false;
      const n = BigInt(id);
      return n >= range[0] && n <= range[1];
    }
    if (pkType === 'UUID') return UUID.test(id);
    return id.length <= 255;
  };

  // A stored user (any) whose hash an unknown username's password is checked
  // against and the answer thrown away; looked up once, kept while it exists.
  let decoy: M | null = null;
  const runHasherOnDecoy = async (password: string): Promise<void> => {
    decoy ??= await model.findOne({ attributes: [model.primaryKeyAttribute, passwordField] });
    if (decoy) await options.verifyPassword(password, decoy);
  };

  return {
    async findById(id) {
      if (typeof id !== 'string' || !validId(id)) return null;
      return model.findByPk(id);
    },
    async authenticate(credentials) {
      const username = credentials[usernameField];
      const password = credentials.password;
      if (typeof username !== 'string' || typeof password !== 'string') return null;
      const user = await model.findOne({ where: { [usernameField]: username } as never });
      if (!user) {
        // As Django's ModelBackend: run the hasher anyway, so an unknown username
        // answers as slowly as a wrong password and cannot be told apart by timing.
        await runHasherOnDecoy(password);
        return null;
      }
      return (await options.verifyPassword(password, user)) ? user : null;
    },
    getPasswordHash(user) {
      return String(user.get(passwordField) ?? '');
    },
    async updateLastLogin(user) {
      if (!attributes[lastLoginField]) return;
      user.set(lastLoginField as never, new Date() as never);
      await user.save({ fields: [lastLoginField as never] });
    },
  };
}
