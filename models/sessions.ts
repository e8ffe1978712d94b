import type { Sequelize } from 'sequelize';
import type { SessionApp, SessionRecord, SessionStart } from '../lib/types/apps';
import { SESSION_TOUCH_INTERVAL } from '../lib/settings';
import { BLACKLISTED_TOKEN_FAMILY_TABLE } from './blacklisted-token-family';
import { execute, readTime, selectRows, sqlTime } from './sql';
import { sqlDialect, type SqlDialect } from './sql-dialect';
import { TOKEN_FAMILY_TABLE } from './token-family';

/**
 * This package's side table of session metadata (not Simple JWT's): one row
 * per token family started by a login here (`family_id` →
 * `token_family_tokenfamily.id`, ON DELETE CASCADE), with its user agent,
 * client address and last use. Simple JWT's tables stay as Django defines
 * them, so a Django service keeps sharing them.
 */
export const SESSION_TABLE = 'passport_simplejwt_session';

interface SessionRow {
  family_id: string;
  created_at: unknown;
  expires_at: unknown;
  last_used_at: unknown;
  user_agent: string | null;
  ip: string | null;
}

/**
 * The statement marking the sessions of `count` families used at `$1`,
 * unless marked after `$2`. MySQL/MariaDB get a multi-table UPDATE: they
 * run an `IN (SELECT …)` of a single-table UPDATE as a dependent subquery
 * for every session row (MariaDB before 11.1), a full read of the table on
 * every refresh (test/models/query-plans.test.ts).
 */
export function touchSessionsSql(dialect: SqlDialect, count: number, first = 3): string {
  const ids = Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
  if (dialect === 'mysql') {
    return (
      `UPDATE ${SESSION_TABLE} s JOIN ${TOKEN_FAMILY_TABLE} f ON s.family_id = f.id SET s.last_used_at = $1 ` +
      `WHERE s.last_used_at < $2 AND f.family_id IN (${ids})`
    );
  }
  return (
    `UPDATE ${SESSION_TABLE} SET last_used_at = $1 WHERE last_used_at < $2 ` +
    `AND family_id IN (SELECT id FROM ${TOKEN_FAMILY_TABLE} WHERE family_id IN (${ids}))`
  );
}

/** The bound values of {@link touchSessionsSql}: the time of use, the coalescing threshold, the family ids. */
export function touchSessionsBind(dialect: SqlDialect, at: Date, familyIds: readonly string[]): unknown[] {
  return [sqlTime(dialect, at), sqlTime(dialect, new Date(at.getTime() - SESSION_TOUCH_INTERVAL * 1000 + 1)), ...[...familyIds].sort()];
}

/** The session metadata on Sequelize (raw statements with bound parameters, every lookup indexed). */
export class SequelizeSessionApp implements SessionApp {
  private readonly dialect: SqlDialect;

  constructor(private readonly sequelize: Sequelize) {
    this.dialect = sqlDialect(sequelize);
  }

  async start(session: SessionStart): Promise<void> {
    const at = sqlTime(this.dialect, session.createdAt);
    // One statement: the family row (just created by this login) gives the key.
    await execute(
      this.sequelize,
      `INSERT INTO ${SESSION_TABLE} (family_id, created_at, last_used_at, user_agent, ip) SELECT id, $2, $3, $4, $5 FROM ${TOKEN_FAMILY_TABLE} WHERE family_id = $1`,
      [session.familyId, at, at, session.userAgent, session.ip],
    );
  }

  async touch(familyIds: readonly string[], at: Date): Promise<void> {
    if (familyIds.length === 0) return;
    await execute(this.sequelize, touchSessionsSql(this.dialect, familyIds.length), touchSessionsBind(this.dialect, at, familyIds));
  }

  async list(userId: string, now: Date, familyId?: string): Promise<SessionRecord[]> {
    const bind: unknown[] = [userId, sqlTime(this.dialect, now)];
    if (familyId !== undefined) bind.push(familyId);
    const rows = await selectRows<SessionRow>(
      this.sequelize,
      `SELECT f.family_id AS family_id, f.created_at AS created_at, f.expires_at AS expires_at, s.last_used_at AS last_used_at, ` +
        `s.user_agent AS user_agent, s.ip AS ip FROM ${TOKEN_FAMILY_TABLE} f ` +
        `LEFT JOIN ${SESSION_TABLE} s ON s.family_id = f.id ` +
        `LEFT JOIN ${BLACKLISTED_TOKEN_FAMILY_TABLE} b ON b.family_id = f.id ` +
        `WHERE f.user_id = $1 AND b.id IS NULL AND (f.expires_at IS NULL OR f.expires_at > $2)` +
        (familyId === undefined ? '' : ' AND f.family_id = $3') +
        // One order for every caller (last use, creation, row), so concurrent logins agree on which sessions to keep.
        ' ORDER BY COALESCE(s.last_used_at, f.created_at) DESC, f.created_at DESC, f.id DESC',
      bind,
    );
    return rows.map((row) => {
      const createdAt = readTime(row.created_at);
      return {
        familyId: row.family_id,
        createdAt,
        lastUsedAt: row.last_used_at === null || row.last_used_at === undefined ? createdAt : readTime(row.last_used_at),
        expiresAt: row.expires_at === null || row.expires_at === undefined ? null : readTime(row.expires_at),
        userAgent: row.user_agent ?? null,
        ip: row.ip ?? null,
      };
    });
  }
}
