// Schema migrations for the Postgres audit store, applied in order once each, under a lock so
// replicas starting together do not race.
import type pg from 'pg';

const MIGRATIONS: Array<{ id: string; sql: (schema: string) => string }> = [
  {
    id: '001_audit_log',
    sql: (s) => `
      CREATE TABLE ${s}.audit_log (
        seq BIGINT PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL,
        correlation_id TEXT NOT NULL,
        principal_kind TEXT NOT NULL,
        principal_subject TEXT NOT NULL,
        principal_issuer TEXT NOT NULL,
        role_id TEXT,
        org_code TEXT,
        nhs_number TEXT,
        operation_name TEXT,
        service TEXT NOT NULL,
        resource_types TEXT[] NOT NULL,
        fields TEXT[] NOT NULL,
        authorisation TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_nhs_number ON ${s}.audit_log (nhs_number, seq DESC);
      CREATE INDEX audit_log_subject ON ${s}.audit_log (principal_subject, seq DESC);
      CREATE INDEX audit_log_correlation ON ${s}.audit_log (correlation_id);
      CREATE FUNCTION ${s}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_log_append_only();`,
  },
];

const MIGRATION_LOCK = 4_711_2027;

export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${schema}.schema_migrations`);
    const applied = new Set(rows.map((row) => row.id));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      await client.query(migration.sql(schema));
      await client.query(`INSERT INTO ${schema}.schema_migrations (id) VALUES ($1)`, [migration.id]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
