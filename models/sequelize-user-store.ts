import type { Model, ModelStatic, QueryTypes } from 'sequelize';
import type { UserStore } from '../lib/types/user-store';
import { driverRows } from './driver-query';
import { rowConverter } from './row-values';

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
  /**
   * The attributes `findById` loads on the request path (what `req.user`
   * holds). Default: every attribute of the model, as `findByPk` loads.
   * The primary key, `is_active`/`isActive` and the password field are
   * always loaded when the model has them.
   */
  attributes?: string[];
}

/** Sequelize's `QueryTypes.SELECT`, spelled out: this module loads nothing of Sequelize (the package entry imports it). */
const SELECT = 'SELECT' as QueryTypes.SELECT;

/** Bits of each integer key type: an id out of range finds no user instead of a database error. */
const INTEGER_BITS: Readonly<Record<string, number>> = { TINYINT: 8, SMALLINT: 16, MEDIUMINT: 24, INTEGER: 32, BIGINT: 64 };
const INTEGER_ID = /^-?\d{1,20}$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * A {@link UserStore} over a Sequelize model. Ids that cannot be a primary
 * key of the model (a word for an integer key) find no user instead of
 * making the database raise. The users it returns serialise without
 * `passwordField` (`res.json(req.user)` never shows the hash; `user.get()`
 * still reads it).
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
  const range =
    bits === undefined
      ? undefined
      : pkAttribute?.type?.options?.unsigned
        ? [0n, (1n << BigInt(bits)) - 1n]
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

  const findByPk = primaryKeyLookup(model, options.attributes, passwordField, range !== undefined);
  const hidePassword = passwordHider<M>(passwordField);
  return {
    async findById(id) {
      if (typeof id !== 'string' || !validId(id)) return null;
      return hidePassword(await findByPk(id));
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
      return (await options.verifyPassword(password, user)) ? hidePassword(user) : null;
    },
    async accountIdOf(username) {
      // The database's collation decides which account a spelling names, as it does at login.
      const user = await model.findOne({ attributes: [model.primaryKeyAttribute], where: { [usernameField]: username } as never });
      const id = user?.get(model.primaryKeyAttribute);
      return id === undefined || id === null ? null : String(id);
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

/**
 * Keeps the password hash off what `res.json(user)` sends: the users the
 * store returns get a `toJSON` (the model's own, minus `passwordField`).
 * The hash stays readable with `user.get()` for the checks that need it
 * (`checkRevokeToken`, `verifyPassword`).
 */
function passwordHider<M extends Model>(passwordField: string): (user: M | null) => M | null {
  function toJSON(this: M): object {
    const proto = Object.getPrototypeOf(this) as { toJSON(this: M): Record<string, unknown> };
    const json = proto.toJSON.call(this);
    delete json[passwordField];
    return json;
  }
  return (user) => {
    if (user) Object.defineProperty(user, 'toJSON', { value: toJSON, configurable: true, writable: true, enumerable: false });
    return user;
  };
}

/**
 * The request path's user lookup: one SELECT of the wanted columns by
 * primary key, built once, the id a bound parameter, run on the driver
 * connection; rows become instances as `findByPk` makes them (the same
 * values), without building the query each time. A model
 * with a default scope or soft deletes (`paranoid`) keeps `findByPk`, which
 * applies them.
 */
function primaryKeyLookup<M extends Model>(
  model: ModelStatic<M>,
  wanted: string[] | undefined,
  passwordField: string,
  integerKey: boolean,
): (id: string) => Promise<M | null> {
  const options = model.options as { defaultScope?: object; paranoid?: boolean };
  const scoped = options.defaultScope !== undefined && Object.keys(options.defaultScope).length > 0;
  const sequelize = model.sequelize;
  if (scoped || options.paranoid || !sequelize) return (id) => model.findByPk(id);
  const attributes = model.getAttributes() as Record<string, { field?: string }>;
  const names =
    wanted === undefined
      ? Object.keys(attributes)
      : [...new Set([model.primaryKeyAttribute, 'is_active', 'isActive', passwordField, ...wanted])].filter((name) => name in attributes);
  for (const name of wanted ?? [])
    if (!(name in attributes)) throw new TypeError(`passport-simplejwt: sequelizeUserStore 'attributes': the model has no attribute '${name}'`);
  const qi = sequelize.getQueryInterface();
  const quote = (name: string) => qi.quoteIdentifier(name);
  const column = (name: string) => attributes[name].field ?? name;
  const table = qi.queryGenerator as unknown as { quoteTable(table: unknown): string };
  const sql = `SELECT ${names.map((name) => `${quote(column(name))} AS ${quote(name)}`).join(', ')} FROM ${table.quoteTable(model.getTableName())} WHERE ${quote(column(model.primaryKeyAttribute))} = $1`;
  // Through the driver when every selected column's type reads back as Sequelize would give it, else through Sequelize.
  const convert = rowConverter(sequelize, model, names);
  return (id) => {
    // An integer key is bound as a number where it is exact (the drivers compare it as the column's type).
    const key = integerKey && Number.isSafeInteger(Number(id)) ? Number(id) : id;
    if (!convert) return sequelize.query(sql, { bind: [key], model, mapToModel: true, type: SELECT, plain: true }) as Promise<M | null>;
    return driverRows<Record<string, unknown>>(sequelize, sql, [key]).then(([row]) =>
      row ? model.build(convert(row) as never, { raw: true, isNewRecord: false }) : null,
    );
  };
}
