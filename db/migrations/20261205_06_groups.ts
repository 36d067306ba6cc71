// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The customer's own named overviews across cases (kundärende): a person's (BSN) or a company's
  // (KvK number; every representative of the company shares them).
  await db.schema
    .createTable('case_groups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('owner_bsn', 'text')
    .addColumn('owner_kvk', 'text')
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('case_groups_one_owner', sql`(owner_bsn is null) <> (owner_kvk is null)`)
    .execute();
  await sql`create index case_groups_owner_bsn on case_groups (owner_bsn, created_at desc, id) where owner_bsn is not null`.execute(db);
  await sql`create index case_groups_owner_kvk on case_groups (owner_kvk, created_at desc, id) where owner_kvk is not null`.execute(db);

  // Membership: a deleted case leaves every group it was in; one that becomes unreadable stays a
  // member (the reads filter it out), so raising and lowering confidentiality loses nothing.
  await db.schema
    .createTable('case_group_cases')
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('case_groups.id').onDelete('cascade'))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_group_cases_pk', ['group_id', 'case_id'])
    .execute();
  await db.schema.createIndex('case_group_cases_case').on('case_group_cases').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_group_cases').execute();
  await db.schema.dropTable('case_groups').execute();
}
