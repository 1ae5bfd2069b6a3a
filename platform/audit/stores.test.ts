// Both stores behave the same: append, query newest first, verify, and detect tampering.
// Postgres runs only when DATABASE_URL is set (CI sets it); each run uses its own schema.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createFileAuditStore } from './file-store.js';
import { createPostgresAuditStore } from './postgres-store.js';
import type { AuditEvent } from './record.js';

const DATABASE_URL = process.env['DATABASE_URL'];
const describeWithPostgres = DATABASE_URL ? describe : describe.skip;

const event = (nhsNumber: string, subject = 'clerk-1', correlationId = 'c-1'): AuditEvent => ({
  at: new Date().toISOString(),
  correlationId,
  principal: { kind: 'staff', subject, issuer: 'cis2', roleId: 'r1', orgCode: 'Y12345' },
  nhsNumber,
  operationName: null,
  service: 'PDS',
  resourceTypes: ['Patient'],
  fields: ['Patient.name', 'Patient.birthDate'],
  authorisation: 'cis2 role S8000:G8000:R8000',
  outcome: 'read',
  detail: null,
});

describe('the embedded file store', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'nhs-graph-audit-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('appends, queries newest first and verifies; a reopened store continues the chain', async () => {
    const store = createFileAuditStore(directory, 'demographics');
    await store.append([event('9000000009'), event('9000000017', 'clerk-2')]);
    const reopened = createFileAuditStore(directory, 'demographics');
    await reopened.append([event('9000000025')]);
    expect(await reopened.verify()).toEqual([{ ok: true, records: 3, brokenAt: null }]);
    const bySubject = await reopened.query({ subject: 'clerk-2', offset: 0, limit: 10 });
    expect(bySubject.map((r) => r.nhsNumber)).toEqual(['9000000017']);
  });

  it('detects a record edited in the file', async () => {
    const store = createFileAuditStore(directory, 'demographics');
    await store.append([event('9000000009'), event('9000000017')]);
    const file = join(directory, 'demographics.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('9000000009', '9000000041'));
    expect((await store.verify())[0]).toMatchObject({ ok: false, brokenAt: 1 });
  });
});

describeWithPostgres('the Postgres store (real Postgres from DATABASE_URL)', () => {
  const schema = `audit_test_${process.pid}_${Date.now()}`;
  const url = DATABASE_URL ?? '';
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('fails an append whose connection is lost mid-transaction without crashing, and appends again after', async () => {
    // Its own application_name, so only this store's connection is terminated (tests run in parallel).
    const name = `audit-lost-${process.pid}-${Date.now()}`;
    const ownSchema = `${schema}_lost`;
    const store = await createPostgresAuditStore(withApplicationName(url, name), ownSchema);
    // Hold the chain lock so the append waits inside its transaction, then end its backend there.
    await admin.query('SELECT pg_advisory_lock($1)', [CHAIN_LOCK_FOR_TEST]);
    const append = store.append([event('9000000009')]);
    const outcome = append.then(
      () => 'appended',
      () => 'refused',
    );
    try {
      await waitFor(async () => {
        const { rows } = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%pg_advisory_xact_lock%'`,
          [name],
        );
        if (rows[0] === undefined) return false;
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        return true;
      });
      expect(await outcome).toBe('refused');
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [CHAIN_LOCK_FOR_TEST]);
    }
    await store.append([event('9000000017')]);
    expect(await store.verify()).toEqual([{ ok: true, records: 1, brokenAt: null }]);
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${ownSchema} CASCADE`);
  });

  it('keeps one intact chain when two replicas append at the same time', async () => {
    const [a, b] = await Promise.all([
      createPostgresAuditStore(url, schema),
      createPostgresAuditStore(url, schema),
    ]);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).append([event(`90000000${String(i).padStart(2, '0')}`), event('9000000009')]),
      ),
    );
    expect(await a.verify()).toEqual([{ ok: true, records: 40, brokenAt: null }]);
    const page = await b.query({ nhsNumber: '9000000009', offset: 0, limit: 5 });
    expect(page).toHaveLength(5);
    expect(page.map((r) => r.seq)).toEqual([...page.map((r) => r.seq)].sort((x, y) => y - x));
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses UPDATE and DELETE (append-only)', async () => {
    await expect(
      admin.query(`UPDATE ${schema}.audit_log SET nhs_number = '9000000041' WHERE seq = 1`),
    ).rejects.toThrow(/append-only/);
    await expect(admin.query(`DELETE FROM ${schema}.audit_log WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it('detects a record edited or deleted by someone who bypassed the trigger', async () => {
    const store = await createPostgresAuditStore(url, schema);
    await admin.query(`ALTER TABLE ${schema}.audit_log DISABLE TRIGGER audit_log_append_only`);
    await admin.query(`UPDATE ${schema}.audit_log SET principal_subject = 'someone-else' WHERE seq = 7`);
    expect((await store.verify())[0]).toMatchObject({ ok: false, brokenAt: 7 });
    await admin.query(
      `UPDATE ${schema}.audit_log SET principal_subject = (SELECT principal_subject FROM ${schema}.audit_log WHERE seq = 8) WHERE seq = 7`,
    );
    await admin.query(`DELETE FROM ${schema}.audit_log WHERE seq = 12`);
    expect((await store.verify())[0]).toMatchObject({ ok: false, brokenAt: 13 });
    await admin.query(`ALTER TABLE ${schema}.audit_log ENABLE TRIGGER audit_log_append_only`);
    await store.close();
  });
});

/** The chain lock postgres-store.ts takes (a fixed number, shared by every replica). */
const CHAIN_LOCK_FOR_TEST = 4_711_2026;

const withApplicationName = (url: string, name: string): string => {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.href;
};

async function waitFor(found: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await found()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the append never waited for the chain lock');
}
