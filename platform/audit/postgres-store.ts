// The production audit store: one hash chain in Postgres shared by every replica. Appends take
// a transaction-scoped advisory lock so replicas extend the chain one at a time; a trigger makes
// the table append-only (UPDATE and DELETE raise), and `verify` recomputes every hash.
import pg from 'pg';
import { migrate } from './migrations.js';
import { chain, verifyChain, type AuditEvent, type AuditRecord } from './record.js';
import type { AuditStore } from './store.js';

/** Any fixed number: the lock that serialises appends to the chain. */
const CHAIN_LOCK = 4_711_2026;

export async function createPostgresAuditStore(
  connectionString: string,
  schema: string,
): Promise<AuditStore> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid audit schema name: ${schema}`);
  const pool = new pg.Pool({ connectionString, max: 5 });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  await migrate(pool, schema);
  const table = `${schema}.audit_log`;

  return {
    async append(events) {
      if (events.length === 0) return;
      const client = await pool.connect();
      // A checked-out client that loses its connection (a reset, a terminated backend) emits
      // 'error', and pg's pool listens only to idle clients: without this the process would crash.
      // The append fails instead (AUDIT_UNAVAILABLE for the read) and the client is discarded.
      let lost: Error | undefined;
      const onLost = (error: Error) => {
        lost = error;
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
        const { rows } = await client.query<{ seq: string; hash: string }>(
          `SELECT seq, hash FROM ${table} ORDER BY seq DESC LIMIT 1`,
        );
        const previous = rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : null;
        for (const record of chain(previous, events)) await insert(client, table, record);
        await client.query('COMMIT');
      } catch (error) {
        if (!lost) await client.query('ROLLBACK').catch(() => undefined);
        lost ??= error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        client.off('error', onLost);
        // A client that failed is destroyed rather than given to the next append.
        client.release(lost);
      }
    },
    async query(query) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM ${table}
          WHERE ($1::text IS NULL OR nhs_number = $1) AND ($2::text IS NULL OR principal_subject = $2)
            AND ($3::text IS NULL OR correlation_id = $3)
          ORDER BY seq DESC OFFSET $4 LIMIT $5`,
        [
          query.nhsNumber ?? null,
          query.subject ?? null,
          query.correlationId ?? null,
          query.offset,
          query.limit,
        ],
      );
      return rows.map(fromRow);
    },
    async verify() {
      const { rows } = await pool.query<Row>(`SELECT * FROM ${table} ORDER BY seq`);
      return [verifyChain(rows.map(fromRow))];
    },
    close: () => pool.end(),
  };
}

async function insert(client: pg.PoolClient, table: string, record: AuditRecord): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (seq, at, correlation_id, principal_kind, principal_subject, principal_issuer, role_id,
       org_code, nhs_number, operation_name, service, resource_types, fields, authorisation, outcome, detail,
       prev_hash, hash)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
    [
      record.seq,
      record.at,
      record.correlationId,
      record.principal.kind,
      record.principal.subject,
      record.principal.issuer,
      record.principal.roleId,
      record.principal.orgCode,
      record.nhsNumber,
      record.operationName,
      record.service,
      record.resourceTypes,
      record.fields,
      record.authorisation,
      record.outcome,
      record.detail,
      record.prevHash,
      record.hash,
    ],
  );
}

interface Row {
  seq: string;
  at: Date;
  correlation_id: string;
  principal_kind: string;
  principal_subject: string;
  principal_issuer: string;
  role_id: string | null;
  org_code: string | null;
  nhs_number: string | null;
  operation_name: string | null;
  service: string;
  resource_types: string[];
  fields: string[];
  authorisation: string;
  outcome: AuditRecord['outcome'];
  detail: string | null;
  prev_hash: string;
  hash: string;
}

function fromRow(row: Row): AuditRecord {
  const event: AuditEvent = {
    at: row.at.toISOString(),
    correlationId: row.correlation_id,
    principal: {
      kind: row.principal_kind,
      subject: row.principal_subject,
      issuer: row.principal_issuer,
      roleId: row.role_id,
      orgCode: row.org_code,
    },
    nhsNumber: row.nhs_number,
    operationName: row.operation_name,
    service: row.service,
    resourceTypes: row.resource_types,
    fields: row.fields,
    authorisation: row.authorisation,
    outcome: row.outcome,
    detail: row.detail,
  };
  return { ...event, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
}
