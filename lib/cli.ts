#!/usr/bin/env node
/**
 * `passport-simplejwt` command line: migrations and the flush commands, for
 * deploy scripts and cron. Exit codes: 0 done, 1 database problem
 * (unreachable, not migrated, query failed), 2 usage problem (unknown
 * command or option, missing or malformed URL).
 */
import { existsSync } from 'node:fs';
import { Sequelize, type Options } from 'sequelize';
import { flushExpiredFamilies, flushExpiredTokens } from '../models/flush';
import { migrate } from '../models/migrate';
import type { Apps } from './settings';

const USAGE = `Usage: passport-simplejwt <command> [--database <url>] [options]

Commands:
  migrate                 create or upgrade the tables of the apps
  flushexpiredtokens      delete expired outstanding tokens and their blacklist rows
  flushexpiredfamilies    delete expired token families (never those without expiry)

Options:
  --database <url>        sqlite:///abs/path.sqlite3, sqlite://relative.sqlite3,
                          postgres://user:pass@host:5432/db, mysql://… or mariadb://…
                          (default: the DATABASE_URL environment variable)
  --apps <list>           apps to migrate: blacklist,tokenFamily (default: both)
  --batch-size <n>        rows deleted per batch by the flush commands (default 10000; 1000 on SQLite)
  -h, --help              show this help

Exit codes: 0 success, 1 database error, 2 usage error.
`;

const EXIT_OK = 0;
const EXIT_DATABASE = 1;
const EXIT_USAGE = 2;
const CONNECT_TIMEOUT_MS = 10_000;
/** Longest wait for the connection to close before exiting anyway. */
const CLOSE_TIMEOUT_MS = 1_000;
const COMMANDS = ['migrate', 'flushexpiredtokens', 'flushexpiredfamilies'] as const;
type Command = (typeof COMMANDS)[number];

/** A failure with its exit code and the message to print. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface Args {
  command: Command | 'help';
  database?: string;
  apps: Required<Apps>;
  batchSize?: number;
}

function parseApps(value: string): Required<Apps> {
  const apps = { blacklist: false, tokenFamily: false };
  for (const name of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (name !== 'blacklist' && name !== 'tokenFamily') throw new CliError(`unknown app '${name}' in --apps (known: blacklist, tokenFamily)`, EXIT_USAGE);
    apps[name] = true;
  }
  if (!apps.blacklist && !apps.tokenFamily) throw new CliError('--apps names no app (use blacklist, tokenFamily or both)', EXIT_USAGE);
  return apps;
}

function parseArgs(argv: string[]): Args {
  let command: Args['command'] | undefined;
  const args: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new CliError(`${flag} needs a value`, EXIT_USAGE);
      return v;
    };
    if (flag === '-h' || flag === '--help' || flag === 'help') command = 'help';
    else if (flag === '--database') args.database = value();
    else if (flag === '--apps') args.apps = parseApps(value());
    else if (flag === '--batch-size') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new CliError('--batch-size must be a positive integer', EXIT_USAGE);
      args.batchSize = n;
    } else if (flag.startsWith('-')) throw new CliError(`unknown option '${flag}'`, EXIT_USAGE);
    else if (command === undefined) {
      if (!(COMMANDS as readonly string[]).includes(flag)) throw new CliError(`unknown command '${flag}' (known: ${COMMANDS.join(', ')})`, EXIT_USAGE);
      command = flag as Command;
    } else if (command !== 'help') throw new CliError(`unexpected argument '${flag}'`, EXIT_USAGE);
  }
  if (command === undefined) throw new CliError('no command given', EXIT_USAGE);
  return { command, database: args.database, apps: args.apps ?? { blacklist: true, tokenFamily: true }, batchSize: args.batchSize };
}

/** The URL with its password hidden, for messages. */
function redact(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:/?#@]*:)[^@/?#]*@/i, '$1***@');
}

/**
 * An error as one line of stderr: its message, plus the driver's when
 * Sequelize's own says less (a failing trigger is just "Validation error").
 */
function oneLine(error: unknown): string {
  const err = error as { message?: unknown; parent?: unknown; cause?: unknown };
  let text = typeof err?.message === 'string' ? err.message : String(error);
  const inner = err?.parent ?? err?.cause;
  if (inner instanceof Error && !text.includes(inner.message)) text = `${text}: ${inner.message}`;
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * Closes the connection, waiting at most CLOSE_TIMEOUT_MS: Sequelize's
 * SQLite close never settles for a file that failed to open, and a promise
 * that never settles lets Node exit early with code 0, the failure lost.
 */
async function closeWithin(sequelize: Sequelize, ms = CLOSE_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([sequelize.close().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Sequelize for `url`, or a usage error naming what is wrong with it. */
function connect(url: string, mustExist: boolean): Sequelize {
  const colon = url.indexOf(':');
  const protocol = colon > 0 ? url.slice(0, colon).toLowerCase() : '';
  const common: Options = { logging: false, pool: { max: 2, acquire: CONNECT_TIMEOUT_MS } };
  if (protocol === 'sqlite') {
    const storage = url.slice(colon + 1).replace(/^\/\//, '');
    if (storage === '') throw new CliError(`invalid database URL '${url}': no SQLite file (use sqlite:///abs/path.sqlite3)`, EXIT_USAGE);
    if (mustExist && storage !== ':memory:' && !existsSync(storage)) {
      throw new CliError(`SQLite database file '${storage}' does not exist (run 'passport-simplejwt migrate' first)`, EXIT_DATABASE);
    }
    return new Sequelize({ ...common, dialect: 'sqlite', storage });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`invalid database URL '${redact(url)}'`, EXIT_USAGE);
  }
  let dialect: 'postgres' | 'mysql';
  if (protocol === 'postgres' || protocol === 'postgresql') dialect = 'postgres';
  else if (protocol === 'mysql' || protocol === 'mariadb') dialect = 'mysql';
  else throw new CliError(`unsupported database '${protocol || url}' in the URL (use sqlite://, postgres://, mysql:// or mariadb://)`, EXIT_USAGE);
  if (!parsed.hostname) throw new CliError(`invalid database URL '${redact(url)}': no host`, EXIT_USAGE);
  const dialectOptions = dialect === 'postgres' ? { connectionTimeoutMillis: CONNECT_TIMEOUT_MS } : { connectTimeout: CONNECT_TIMEOUT_MS };
  try {
    parsed.protocol = `${dialect}:`;
    return new Sequelize(parsed.toString(), { ...common, dialect, dialectOptions });
  } catch (err) {
    // A missing driver package (pg, mysql2) surfaces here.
    throw new CliError(`cannot use the database at ${redact(url)}: ${oneLine(err)}`, EXIT_DATABASE);
  }
}

async function requireTables(sequelize: Sequelize, tables: string[]): Promise<void> {
  const queryInterface = sequelize.getQueryInterface();
  for (const table of tables) {
    if (!(await queryInterface.tableExists(table))) {
      throw new CliError(`table '${table}' does not exist (run 'passport-simplejwt migrate' first)`, EXIT_DATABASE);
    }
  }
}

async function execute(args: Args, sequelize: Sequelize, print: (line: string) => void): Promise<void> {
  try {
    await sequelize.authenticate();
  } catch (err) {
    throw new CliError(`cannot connect to the database: ${oneLine(err)}`, EXIT_DATABASE);
  }
  switch (args.command) {
    case 'migrate': {
      const ran = await migrate(sequelize, args.apps, { log: print });
      print(ran.length === 0 ? 'No migrations to apply.' : `Applied ${ran.length} migration${ran.length === 1 ? '' : 's'}.`);
      return;
    }
    case 'flushexpiredtokens': {
      await requireTables(sequelize, ['token_blacklist_outstandingtoken', 'token_blacklist_blacklistedtoken']);
      const deleted = await flushExpiredTokens(sequelize, { batchSize: args.batchSize });
      print(`Deleted ${deleted} expired outstanding token${deleted === 1 ? '' : 's'}.`);
      return;
    }
    case 'flushexpiredfamilies': {
      await requireTables(sequelize, ['token_family_tokenfamily', 'token_family_blacklistedtokenfamily']);
      const deleted = await flushExpiredFamilies(sequelize, { batchSize: args.batchSize });
      print(`Deleted ${deleted} expired token famil${deleted === 1 ? 'y' : 'ies'}.`);
      return;
    }
    case 'help':
      return;
  }
}

/**
 * Runs the command line and resolves to the exit code.
 *
 * @example
 * // crontab: every night at 03:15
 * // 15 3 * * * DATABASE_URL=postgres://app@db/app npx passport-simplejwt flushexpiredtokens
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  let sequelize: Sequelize | undefined;
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      out(USAGE.trimEnd());
      return EXIT_OK;
    }
    const url = args.database ?? env.DATABASE_URL?.trim();
    if (!url) throw new CliError('no database: pass --database <url> or set DATABASE_URL', EXIT_USAGE);
    sequelize = connect(url, args.command !== 'migrate');
    await execute(args, sequelize, out);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CliError) {
      err(`passport-simplejwt: ${e.message}`);
      if (e.exitCode === EXIT_USAGE) err("Run 'passport-simplejwt --help' for usage.");
      return e.exitCode;
    }
    err(`passport-simplejwt: database error: ${oneLine(e)}`);
    return EXIT_DATABASE;
  } finally {
    if (sequelize) await closeWithin(sequelize);
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
