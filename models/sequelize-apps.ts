import type { BlacklistApp, FamilyApp } from '../lib/apps';
import type { SimpleJWT } from '../lib/simplejwt';

/** The Sequelize storage of the blacklist and family apps (issue #4 fills this in). */
export function sequelizeApps(_sj: SimpleJWT): { blacklist: BlacklistApp; family: FamilyApp } {
  throw new Error('passport-simplejwt: the blacklist and family apps are not implemented yet');
}
