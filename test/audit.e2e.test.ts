// The audit trail and correlation end to end: one request's correlation id in the upstream
// call, the logs and the audit record; one audit record per upstream read; denials audited;
// only information governance reads the trail. Real Postgres when DATABASE_URL is set (CI),
// the embedded store otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { postPersisted } from './persisted.js';
import { resetSandbox, sandboxRequests, upstreamCalls } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const DATABASE_URL = process.env['DATABASE_URL'];
const schema = `audit_e2e_${process.pid}`;
const auditDir = mkdtempSync(join(tmpdir(), 'nhs-graph-audit-e2e-'));
const auditEnv = { AUDIT_DIR: auditDir, AUDIT_PG_SCHEMA: schema, ...(DATABASE_URL ? { DATABASE_URL } : {}) };

const stack = useTestStack({ LOG_LEVEL: 'debug', ...auditEnv }, { stdio: 'capture' });
let igOfficer: Record<string, string>;

beforeAll(async () => {
  igOfficer = bearer(await mintToken(stack.sandboxUrl, 'ig-officer'));
}, 60_000);

afterAll(async () => {
  rmSync(auditDir, { recursive: true, force: true });
  if (DATABASE_URL) {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});

const AUDIT = `query($filter: AuditFilter!) { auditRecords(filter: $filter) { records {
  correlationId nhsNumber operationName service resourceTypes fields authorisation outcome detail
  principal { kind subject issuer roleId orgCode } } } }`;

interface AuditRow {
  correlationId: string;
  nhsNumber: string | null;
  operationName: string | null;
  service: string;
  resourceTypes: string[];
  fields: string[];
  authorisation: string;
  outcome: string;
  detail: string | null;
  principal: { kind: string; subject: string; roleId: string | null; orgCode: string | null };
}

async function auditFor(correlationId: string): Promise<AuditRow[]> {
  const response = await postGraphQL<{ auditRecords: { records: AuditRow[] } }>(
    stack.gatewayUrl,
    AUDIT,
    { filter: { correlationId } },
    igOfficer,
  );
  expect(response.body.errors).toBeUndefined();
  return response.body.data?.auditRecords.records ?? [];
}

describe('one request, one correlation id, one audit record per upstream read', () => {
  it('ties the upstream calls, the log lines and the audit records of a request together', async () => {
    const clerkToken = await mintToken(stack.sandboxUrl, 'clerk');
    const correlationId = `audit-e2e-${Date.now()}`;
    const response = await postGraphQL(
      stack.gatewayUrl,
      `query PatientCard { a: patient(nhsNumber: "9000000009") { nhsNumber name { text } } b: patient(nhsNumber: "9000000033") { birthDate } }`,
      undefined,
      { ...bearer(clerkToken), 'x-correlation-id': correlationId },
    );
    expect(response.body.errors).toBeUndefined();

    const upstream = (await sandboxRequests(stack.sandboxUrl)).log.filter(
      (entry) => entry.upstream === 'pds',
    );
    expect(upstream).toHaveLength(2);
    expect(upstream.every((entry) => entry.correlationId === correlationId)).toBe(true);

    const records = await auditFor(correlationId);
    expect(records.map((r) => r.nhsNumber).sort()).toEqual(['9000000009', '9000000033']);
    for (const record of records) {
      expect(record).toMatchObject({
        correlationId,
        operationName: 'PatientCard',
        service: 'PDS',
        resourceTypes: ['Patient'],
        outcome: 'READ',
        principal: { kind: 'staff', roleId: expect.any(String), orgCode: expect.any(String) },
      });
      expect(record.fields).toEqual(
        expect.arrayContaining(['Query.patient', 'Patient.name', 'Patient.birthDate']),
      );
      expect(record.authorisation).toMatch(/^cis2 role S\d+:G\d+:R\d+ at \w+ activities .*B0825/);
    }

    // Every log line about the request's upstream calls carries its correlation id.
    const requestIds = new Set(upstream.map((entry) => entry.requestId));
    const lines = stack
      .logs()
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const aboutThoseCalls = lines.filter((line) => requestIds.has(line['requestId'] as string));
    expect(aboutThoseCalls.length).toBeGreaterThanOrEqual(2);
    expect(aboutThoseCalls.every((line) => line['correlationId'] === correlationId)).toBe(true);
  });

  it('records a not-found read as NOT_FOUND', async () => {
    const correlationId = `audit-e2e-nf-${Date.now()}`;
    await postGraphQL(stack.gatewayUrl, `{ patient(nhsNumber: "9111231130") { nhsNumber } }`, undefined, {
      ...bearer(await mintToken(stack.sandboxUrl, 'clerk')),
      'x-correlation-id': correlationId,
    });
    expect((await auditFor(correlationId)).map((r) => [r.nhsNumber, r.outcome])).toEqual([
      ['9111231130', 'NOT_FOUND'],
    ]);
  });

  it('audits a denied field with the rule that denied it', async () => {
    const correlationId = `audit-e2e-denied-${Date.now()}`;
    // acme's persisted PatientRegisteredGp, with a token lacking organisation.read.
    const partner = await mintToken(stack.sandboxUrl, 'partner', {
      clientId: 'acme',
      scopes: ['patient:demographics.read'],
    });
    const response = await postPersisted(
      stack.gatewayUrl,
      'acme',
      'PatientRegisteredGp',
      { nhsNumber: '9000000009' },
      partner,
      {
        'x-correlation-id': correlationId,
      },
    );
    expect(response.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    const records = await auditFor(correlationId);
    expect(records.filter((r) => r.outcome === 'DENIED')).toEqual([
      expect.objectContaining({
        service: 'nhs-graph',
        nhsNumber: '9000000009',
        detail: 'Patient.registeredGp',
        authorisation: 'rule:readPatientGp',
      }),
    ]);
    expect(records.filter((r) => r.outcome === 'READ')).toEqual([
      expect.objectContaining({
        service: 'PDS',
        nhsNumber: '9000000009',
        operationName: 'PatientRegisteredGp',
        principal: expect.objectContaining({ kind: 'partner', subject: 'acme' }),
      }),
    ]);
  });
});

describe('every caller shown data is audited, however many ask at once', () => {
  // Identical queries in flight together once shared one subgraph request (the HTTP executor's
  // de-duplication): one caller's read was audited while several were shown the data.
  const PATIENT = `query Card { patient(nhsNumber: "9000000009") { nhsNumber name { text } } }`;
  const CALLS = 30;

  /** The gateway's count of early GP record answers the plan used (Prometheus text). */
  const earlyFetchesUsed = async () => {
    const text = await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/metrics')).then((r) => r.text());
    const line = text
      .split('\n')
      .find(
        (l) => l.startsWith('nhs_graph_speculative_entity_fetches_total{') && l.includes('outcome="used"'),
      );
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };
  const slow = (upstream: string) =>
    fetch(`${stack.sandboxUrl}/_sandbox/faults/${upstream}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 300 }),
    });

  /**
   * Sends one query per token, all at once, while the upstream is slow enough for them to
   * overlap; counts the answers with data, the upstream's calls, and the answers whose correlation
   * id has a read record of `service` naming their caller.
   */
  async function askTogether(tokens: string[], label: string, query = PATIENT, service = 'PDS') {
    const upstream = service === 'PDS' ? 'pds' : 'gpconnect';
    await slow(upstream);
    const run = `${label}-${Date.now()}`;
    const answers = await Promise.all(
      tokens.map((token, i) =>
        postGraphQL(stack.gatewayUrl, query, undefined, {
          ...bearer(token),
          'x-correlation-id': `${run}-${i}`,
        }),
      ),
    );
    const calls = await upstreamCalls(stack.sandboxUrl, upstream);
    await resetSandbox(stack.sandboxUrl);
    let audited = 0;
    for (const [i, answer] of answers.entries()) {
      const correlationId = answer.headers.get('x-correlation-id') ?? '';
      const reads = (await auditFor(correlationId)).filter(
        (r) => r.service === service && r.outcome === 'READ' && r.nhsNumber === '9000000009',
      );
      const caller = decodeJwt(tokens[i] as string);
      if (reads.some((r) => r.principal.subject === (caller.sub ?? caller['client_id']))) audited += 1;
    }
    const shown = answers.filter((a) => a.body.data?.['patient'] !== null && !a.body.errors).length;
    return { shown, calls, audited };
  }

  it('audits each of 30 identical queries from one caller under its own correlation id', async () => {
    const token = await mintToken(stack.sandboxUrl, 'clerk');
    const tokens = Array.from({ length: CALLS }, () => token);
    expect(await askTogether(tokens, 'one-caller')).toEqual({
      shown: CALLS,
      calls: CALLS,
      audited: CALLS,
    });
  });

  it('never lets different callers share a subgraph request', async () => {
    const callers = await Promise.all([
      mintToken(stack.sandboxUrl, 'clerk'),
      mintToken(stack.sandboxUrl, 'clinician'),
      mintToken(stack.sandboxUrl, 'citizen', { nhsNumber: '9000000009', level: 'P9' }),
    ]);
    const tokens = Array.from({ length: CALLS }, (_, i) => callers[i % callers.length] as string);
    expect(await askTogether(tokens, 'several-callers')).toEqual({
      shown: CALLS,
      calls: CALLS,
      audited: CALLS,
    });
  });

  it('audits each caller of the GP record when it is fetched early (speculative fetches)', async () => {
    const token = await mintToken(stack.sandboxUrl, 'clinician');
    const summary = `query Summary { patient(nhsNumber: "9000000009") { nhsNumber allergies { active { items { code { code } } } } } }`;
    // The first run teaches the gateway the shape; the next ones fetch the GP record early.
    await askTogether([token], 'learn', summary, 'GP Connect');
    const usedBefore = await earlyFetchesUsed();
    const tokens = Array.from({ length: CALLS }, () => token);
    const outcome = await askTogether(tokens, 'early', summary, 'GP Connect');
    expect(outcome).toEqual({ shown: CALLS, calls: expect.any(Number), audited: CALLS });
    expect(outcome.calls).toBeGreaterThanOrEqual(CALLS);
    expect(await earlyFetchesUsed()).toBeGreaterThan(usedBefore);
  });
});

(DATABASE_URL ? describe : describe.skip)('when the audit table fails (real Postgres)', () => {
  const table = (sql: string) =>
    (async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    })();

  it('refuses the read with AUDIT_UNAVAILABLE, showing nothing, and serves again once it is back', async () => {
    const headers = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
    const read = () =>
      postGraphQL(
        stack.gatewayUrl,
        `{ patient(nhsNumber: "9000000009") { nhsNumber name { text } } }`,
        undefined,
        headers,
      );
    await table(`ALTER TABLE ${schema}.audit_log RENAME TO audit_log_offline`);
    let refused;
    try {
      refused = await read();
    } finally {
      await table(`ALTER TABLE ${schema}.audit_log_offline RENAME TO audit_log`);
    }
    expect(errorCodes(refused)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(refused.body.data?.['patient'] ?? null).toBeNull();
    expect(JSON.stringify(refused.body)).not.toContain('Smith');
    const served = await read();
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data?.['patient']).toMatchObject({ nhsNumber: '9000000009' });
  });
});

describe('reading the audit trail', () => {
  it('is refused to staff without an information-governance role', async () => {
    const clinician = bearer(await mintToken(stack.sandboxUrl, 'clinician'));
    const response = await postGraphQL(
      stack.gatewayUrl,
      AUDIT,
      { filter: { patient: '9000000009' } },
      clinician,
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it('needs a filter', async () => {
    const response = await postGraphQL(stack.gatewayUrl, AUDIT, { filter: {} }, igOfficer);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a filter holding a NUL or another control character as BAD_USER_INPUT, logging no server error', async () => {
    const serverErrors = () =>
      stack
        .logs()
        .filter(
          (line) => line.startsWith('{') && Number((JSON.parse(line) as { level?: unknown }).level) >= 50,
        );
    const before = serverErrors().length;
    for (const filter of [{ subject: 'someone\u0000else' }, { correlationId: 'a\r\nb' }]) {
      const response = await postGraphQL(stack.gatewayUrl, AUDIT, { filter }, igOfficer);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the log lines arrive
    expect(serverErrors().slice(before)).toEqual([]);
  });

  it('verifies intact with `npm run audit:verify`', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], {
      env: { ...process.env, ...auditEnv },
      encoding: 'utf8',
    });
    expect(result.stdout).toMatch(/is intact/);
    expect(result.status).toBe(0);
  });
});

describe('gateway logs', () => {
  const errorLines = () =>
    stack
      .logs()
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['service'] === 'gateway' && Number(line['level']) >= 50);

  it("do not report a caller's mistakes (no token, a field they may not read, bad variables) as server errors", async () => {
    const before = errorLines().length;
    const noToken = await postGraphQL(stack.gatewayUrl, `{ patient(nhsNumber: "9000000009") { nhsNumber } }`);
    const clerk = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
    const forbidden = await postGraphQL(
      stack.gatewayUrl,
      AUDIT,
      { filter: { patient: '9000000009' } },
      clerk,
    );
    const badVariables = await postGraphQL(
      stack.gatewayUrl,
      AUDIT,
      { filter: { nhsNumber: '9000000009' } },
      clerk,
    );
    const missingVariable = await postGraphQL(
      stack.gatewayUrl,
      'query($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber } }',
      {},
      clerk,
    );
    expect(errorCodes(noToken)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
    expect(errorCodes(badVariables)).toEqual(['BAD_USER_INPUT']);
    expect(badVariables.body.errors?.[0]?.message).toMatch(
      /Field "nhsNumber" is not defined by type "AuditFilter"/,
    );
    expect(errorCodes(missingVariable)).toEqual(['BAD_USER_INPUT']);
    expect(missingVariable.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the log lines arrive
    expect(errorLines().slice(before)).toEqual([]);
  });
});
