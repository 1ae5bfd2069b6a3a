// Which correlation ids have an audit record: read straight from the audit table in Postgres (the
// stack's schema) or from the embedded store's files, never through the stack under test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export type AuditLocation = { databaseUrl: string; schema: string } | { auditDir: string };

export async function auditedCorrelationIds(location: AuditLocation, ids: string[]): Promise<Set<string>> {
  if ('auditDir' in location) return auditedInFiles(location.auditDir, new Set(ids));
  const client = new pg.Client({ connectionString: location.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ correlation_id: string }>(
      `SELECT DISTINCT correlation_id FROM ${location.schema}.audit_log WHERE correlation_id = ANY($1)`,
      [ids],
    );
    return new Set(rows.map((row) => row.correlation_id));
  } finally {
    await client.end();
  }
}

function auditedInFiles(directory: string, wanted: Set<string>): Set<string> {
  const found = new Set<string>();
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.jsonl'));
  } catch {
    return found;
  }
  for (const name of names) {
    for (const line of readFileSync(join(directory, name), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const { correlationId } = JSON.parse(line) as { correlationId?: string };
      if (correlationId && wanted.has(correlationId)) found.add(correlationId);
    }
  }
  return found;
}

/** Drops the run's own audit schema (Postgres) when the run is over. */
export async function dropAuditSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
