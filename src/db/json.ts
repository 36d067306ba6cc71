import { sql, type RawBuilder } from 'kysely';

/**
 * A jsonb value that both drivers write identically. Passing the text through a `text` cast
 * keeps postgres.js from serialising it a second time (it would, for a parameter typed jsonb)
 * and keeps JS arrays from becoming PostgreSQL arrays.
 */
export function json<T>(value: T): RawBuilder<T> {
  return sql<T>`cast(${JSON.stringify(value)}::text as jsonb)`;
}
