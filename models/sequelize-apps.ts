import { Op, type Sequelize } from 'sequelize';
import type { BlacklistApp, FamilyApp, StoredToken, TokenRotationRecord } from '../lib/types/apps';
import type { AppsHost, AppStorage, StorageProvider } from '../lib/storage';
import type { BlacklistedToken } from './blacklisted-token';
import type { BlacklistedTokenFamily } from './blacklisted-token-family';
import { defineModels, type SimpleJWTModels } from './define-models';
import { insertOrGet } from './insert-or-get';
import type { OutstandingToken } from './outstanding-token';
import type { TokenFamily } from './token-family';
import { GroupCommit } from './group-commit';
import { DatabaseFailureCounter } from './login-counters';
import { migrate } from './migrate';
import { outstandingValues, rotationBatch, type Rotation } from './rotation-batch';
import { SequelizeSessionApp } from './sessions';
import { sqlDialect } from './sql-dialect';
import { deriveSqliteBusyTimeout, deriveTimeouts } from './timeouts';
import { tokenStateQuery } from './token-state';

// One group commit per database: every SimpleJWT instance on it shares the transactions.
const groupCommits = new WeakMap<Sequelize, GroupCommit<Rotation, boolean>>();

function groupCommitOf(sequelize: Sequelize, now: () => Date): GroupCommit<Rotation, boolean> {
  let group = groupCommits.get(sequelize);
  if (!group) {
    group = new GroupCommit(rotationBatch(sequelize, now));
    groupCommits.set(sequelize, group);
  }
  return group;
}

/** The blacklist app on Sequelize: Simple JWT's `token_blacklist` tables. */
class SequelizeBlacklistApp implements BlacklistApp {
  constructor(
    private readonly sj: AppsHost,
    private readonly sequelize: Sequelize,
    private readonly models: SimpleJWTModels,
  ) {}

  async outstand(token: StoredToken): Promise<[OutstandingToken, boolean]> {
    const { OutstandingToken } = this.models;
    const { jti } = token;
    return insertOrGet(
      () => OutstandingToken.create({ jti, user_id: token.userId, token: token.token, created_at: token.createdAt, expires_at: token.expiresAt }),
      () => OutstandingToken.findOne({ where: { jti } }),
    );
  }

  /**
   * Group commit: this rotation shares a transaction with those that queued
   * while the previous one ran; the unique blacklist row of `token` decides
   * the winner (see `rotationBatch`). A loser writes nothing. Past
   * `deadline` (the request's) it is never run, or rolled back, and rejects.
   * With `sessionUsedAt` the winner's session is marked used in that transaction.
   */
  async rotate(token: StoredToken, successor: StoredToken, deadline: number, sessionUsedAt?: Date): Promise<boolean> {
    const dialect = sqlDialect(this.sequelize);
    const rotation: Rotation = {
      token: outstandingValues(dialect, token),
      successor: outstandingValues(dialect, successor),
      // The session's last use rides in the same transaction (the batch writes it for its winners).
      usedFamily: sessionUsedAt === undefined ? null : successor.familyId,
    };
    return groupCommitOf(this.sequelize, this.sj.now).submit(rotation, deadline);
  }

  async successorOf(jti: string): Promise<TokenRotationRecord | null> {
    const { OutstandingToken, TokenRotation } = this.models;
    const token = await OutstandingToken.findOne({ attributes: ['id'], where: { jti } });
    if (token === null) return null;
    const rotation = await TokenRotation.findOne({ where: { token_id: token.id } });
    if (rotation === null) return null;
    const successor = await OutstandingToken.findByPk(rotation.successor_id, { attributes: ['id', 'token'] });
    if (successor === null) return null;
    const successorRotated = (await TokenRotation.count({ where: { token_id: successor.id } })) > 0;
    return { successor: successor.token, rotatedAt: rotation.rotated_at, successorRotated };
  }

  async isBlacklisted(jti: string): Promise<boolean> {
    const { BlacklistedToken, OutstandingToken } = this.models;
    const row = await BlacklistedToken.findOne({
      attributes: ['id'],
      include: [{ model: OutstandingToken, as: 'token', attributes: [], where: { jti }, required: true }],
    });
    return row !== null;
  }

  async blacklist(token: StoredToken): Promise<[BlacklistedToken, boolean]> {
    const { OutstandingToken } = this.models;
    // Reading first only saves a failed insert; the blacklist insert below is what decides.
    const outstanding = (await OutstandingToken.findOne({ where: { jti: token.jti } })) ?? (await this.outstand(token))[0];
    return this.blacklistOutstanding(outstanding.id);
  }

  async blacklistUser(userId: string, now: Date): Promise<number> {
    const { OutstandingToken, BlacklistedToken } = this.models;
    const live = await OutstandingToken.findAll({
      attributes: ['id'],
      where: { user_id: userId, expires_at: { [Op.gt]: now }, '$blacklistedtoken.id$': null },
      include: [{ model: BlacklistedToken, as: 'blacklistedtoken', attributes: [], required: false }],
    });
    let created = 0;
    for (const row of live) if ((await this.blacklistOutstanding(row.id))[1]) created += 1;
    return created;
  }

  private blacklistOutstanding(tokenId: number | string): Promise<[BlacklistedToken, boolean]> {
    const { BlacklistedToken } = this.models;
    return insertOrGet(
      () => BlacklistedToken.create({ token_id: tokenId, blacklisted_at: this.sj.now() }),
      () => BlacklistedToken.findOne({ where: { token_id: tokenId } }),
    );
  }
}

/** The token family app on Sequelize: `token_family_*` tables. */
class SequelizeFamilyApp implements FamilyApp {
  constructor(
    private readonly sj: AppsHost,
    private readonly models: SimpleJWTModels,
  ) {}

  async createFamily(familyId: string, userId: string | null, createdAt: Date, expiresAt: Date | null): Promise<void> {
    await this.models.TokenFamily.create({ family_id: familyId, user_id: userId, created_at: createdAt, expires_at: expiresAt });
  }

  async isFamilyBlacklisted(familyId: string): Promise<boolean> {
    const { BlacklistedTokenFamily, TokenFamily } = this.models;
    const row = await BlacklistedTokenFamily.findOne({
      attributes: ['id'],
      include: [{ model: TokenFamily, as: 'family', attributes: [], where: { family_id: familyId }, required: true }],
    });
    return row !== null;
  }

  async blacklistFamily(familyId: string, userId: string | null, expiresAt: Date | null): Promise<[BlacklistedTokenFamily, boolean]> {
    const { TokenFamily } = this.models;
    const find = () => TokenFamily.findOne({ where: { family_id: familyId } });
    const family: TokenFamily =
      (await find()) ??
      (await insertOrGet(() => TokenFamily.create({ family_id: familyId, user_id: userId, created_at: this.sj.now(), expires_at: expiresAt }), find))[0];
    return this.blacklistRow(family.id);
  }

  async blacklistUserFamilies(userId: string, now: Date): Promise<number> {
    const { TokenFamily, BlacklistedTokenFamily } = this.models;
    const live = await TokenFamily.findAll({
      attributes: ['id'],
      where: {
        user_id: userId,
        [Op.or]: [{ expires_at: null }, { expires_at: { [Op.gt]: now } }],
        '$blacklistedtokenfamily.id$': null,
      },
      include: [{ model: BlacklistedTokenFamily, as: 'blacklistedtokenfamily', attributes: [], required: false }],
    });
    let created = 0;
    for (const row of live) if ((await this.blacklistRow(row.id))[1]) created += 1;
    return created;
  }

  private blacklistRow(familyRowId: number | string): Promise<[BlacklistedTokenFamily, boolean]> {
    const { BlacklistedTokenFamily } = this.models;
    return insertOrGet(
      () => BlacklistedTokenFamily.create({ family_id: familyRowId, blacklisted_at: this.sj.now() }),
      () => BlacklistedTokenFamily.findOne({ where: { family_id: familyRowId } }),
    );
  }
}

/**
 * The Sequelize storage of the blacklist and family apps for `sj`, on
 * `sj.sequelize`. `SimpleJWT` installs it on first use; call it yourself only
 * to pass the result to `sj.useApps()` after wrapping it.
 *
 * @example
 * sj.useApps(sequelizeApps(sj));
 */
export function sequelizeApps(sj: AppsHost): AppStorage {
  // The setting's public type is structural (lib/ names no Sequelize type); the instance is a Sequelize.
  const sequelize = sj.sequelize as Sequelize | undefined;
  if (!sequelize) throw new TypeError("passport-simplejwt: the blacklist and family apps need the 'sequelize' setting");
  const models = defineModels(sequelize);
  deriveSqliteBusyTimeout(sequelize, sj.settings.storageTimeout);
  return {
    blacklist: new SequelizeBlacklistApp(sj, sequelize, models),
    family: new SequelizeFamilyApp(sj, models),
    sessions: new SequelizeSessionApp(sequelize),
    tokenState: tokenStateQuery(sequelize, sj.settings.apps),
  };
}

/** The package's default storage: the apps on the `sequelize` setting, and their migrations. The package entry installs it. */
export const sequelizeStorage: StorageProvider = {
  apps: sequelizeApps,
  migrate: (sequelize, apps) => migrate(sequelize as Sequelize, apps),
  configure: (sequelize, storageTimeout) => deriveTimeouts(sequelize as Sequelize, storageTimeout),
  failureCounter: (sequelize, options) => new DatabaseFailureCounter(sequelize as Sequelize, options),
};
