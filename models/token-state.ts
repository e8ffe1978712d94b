import type { Sequelize } from 'sequelize';
import type { TokenState } from '../lib/storage';
import type { Apps } from '../lib/settings';
import { BLACKLISTED_TOKEN_FAMILY_TABLE } from './blacklisted-token-family';
import { BLACKLISTED_TOKEN_TABLE } from './blacklisted-token';
import { OUTSTANDING_TOKEN_TABLE } from './outstanding-token';
import { readTime, selectRows } from './sql';
import { TOKEN_FAMILY_TABLE } from './token-family';
import { TOKEN_ROTATION_TABLE } from './token-rotation';

interface StateRow {
  blacklisted: unknown;
  rotated_at: unknown;
  successor: string | null;
  successor_rotated: unknown;
  family_blacklisted: unknown;
}

/**
 * The checks a refresh needs as one indexed query (every lookup by a
 * unique column): is the jti blacklisted, was it rotated and into what, is
 * the family blacklisted. Only the tables of the enabled apps are named.
 */
export function tokenStateQuery(sequelize: Sequelize, apps: Required<Apps>): (jti: string | null, familyId: string | null) => Promise<TokenState> {
  const columns: string[] = [];
  const joins: string[] = [];
  if (apps.blacklist) {
    columns.push(
      'b.id AS blacklisted',
      'r.rotated_at AS rotated_at',
      's.token AS successor',
      `(SELECT r2.id FROM ${TOKEN_ROTATION_TABLE} r2 WHERE r2.token_id = r.successor_id) AS successor_rotated`,
    );
    joins.push(
      `LEFT JOIN ${OUTSTANDING_TOKEN_TABLE} o ON o.jti = $1`,
      `LEFT JOIN ${BLACKLISTED_TOKEN_TABLE} b ON b.token_id = o.id`,
      `LEFT JOIN ${TOKEN_ROTATION_TABLE} r ON r.token_id = o.id`,
      `LEFT JOIN ${OUTSTANDING_TOKEN_TABLE} s ON s.id = r.successor_id`,
    );
  }
  if (apps.tokenFamily) {
    columns.push(
      `(SELECT bf.id FROM ${TOKEN_FAMILY_TABLE} f JOIN ${BLACKLISTED_TOKEN_FAMILY_TABLE} bf ON bf.family_id = f.id WHERE f.family_id = $${apps.blacklist ? 2 : 1}) AS family_blacklisted`,
    );
  }
  const sql = `SELECT ${columns.join(', ')} FROM (SELECT 1 AS one) q ${joins.join(' ')}`;
  return async (jti, familyId) => {
    const bind: unknown[] = [];
    if (apps.blacklist) bind.push(jti);
    if (apps.tokenFamily) bind.push(familyId);
    const [row] = await selectRows<StateRow>(sequelize, sql, bind);
    const blacklisted = apps.blacklist && row.blacklisted !== null && row.blacklisted !== undefined;
    const rotation =
      blacklisted && row.successor !== null && row.successor !== undefined
        ? {
            successor: row.successor,
            rotatedAt: readTime(row.rotated_at),
            successorRotated: row.successor_rotated !== null && row.successor_rotated !== undefined,
          }
        : null;
    const familyBlacklisted = apps.tokenFamily && row.family_blacklisted !== null && row.family_blacklisted !== undefined;
    return { blacklisted, familyBlacklisted, rotation };
  };
}
