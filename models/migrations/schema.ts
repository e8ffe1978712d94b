import type { QueryInterface } from 'sequelize';

/** What a migration step receives. */
export interface MigrationContext {
  queryInterface: QueryInterface;
}

interface ShownIndex {
  name: string;
  fields?: Array<{ attribute?: string }>;
}

/**
 * Adds an index on `columns` unless one already starts with them (Django
 * creates its own index on `user_id` under another name, for instance).
 */
export async function ensureIndex(queryInterface: QueryInterface, table: string, columns: string[], name: string): Promise<void> {
  const indexes = (await queryInterface.showIndex(table)) as ShownIndex[];
  const covered = indexes.some((index) => columns.every((column, i) => index.fields?.[i]?.attribute === column));
  if (!covered) await queryInterface.addIndex(table, columns, { name });
}
