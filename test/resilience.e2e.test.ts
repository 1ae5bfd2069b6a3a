// Stale-if-error end to end: sandbox PDS (with injected faults) <- demographics subgraph <- Hive
// Gateway, each its own process. The demographics tier's window is tiny here (TTL 1 s + stale
// 2 s = 3 s) so "beyond the window" is reachable in a test.
import { errorCodes, postGraphQL } from './graphql-client.js';
import { resetSandbox, sandboxRequests } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const WINDOW_SECONDS = 3;
const stack = useTestStack({
  CACHE_TTL_DEMOGRAPHICS_SECONDS: '1',
  DEMOGRAPHICS_STALE_IF_ERROR_SECONDS: String(WINDOW_SECONDS - 1),
});
let asClerk: Record<string, string>;
let igOfficer: Record<string, string>;

beforeAll(async () => {
  asClerk = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
  igOfficer = bearer(await mintToken(stack.sandboxUrl, 'ig-officer'));
}, 60_000);

async function setPdsFaults(faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${stack.sandboxUrl}/_sandbox/faults/pds`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
}

type PatientAnswer = Record<string, unknown> & {
  patient: {
    nhsNumber: string;
    name: { text: string } | null;
    address: { postcode: string | null } | null;
    restricted: boolean;
    provenance: { source: string; retrievedAt: string; stale: boolean; ageSeconds: number };
  } | null;
};

const PATIENT = `query Card($n: NhsNumber!) { patient(nhsNumber: $n) {
  nhsNumber name { text } address { postcode } restricted
  provenance { source retrievedAt stale ageSeconds } } }`;

async function readPatient(nhsNumber: string, correlationId = `stale-e2e-${Date.now()}-${Math.random()}`) {
  const response = await postGraphQL<PatientAnswer>(
    stack.gatewayUrl,
    PATIENT,
    { n: nhsNumber },
    { ...asClerk, 'x-correlation-id': correlationId },
  );
  // Subgraph warnings reach the client in the response extensions (gateway/warnings.ts).
  const extensions = (response.body as { extensions?: { warnings?: unknown[] } }).extensions;
  return { response, warnings: extensions?.warnings ?? [], correlationId };
}

describe('stale-if-error for demographics, through the gateway', () => {
  it('answers the last good record marked stale while PDS fails, then UPSTREAM_UNAVAILABLE beyond the window', async () => {
    const fresh = await readPatient('9000000009');
    expect(fresh.response.body.errors).toBeUndefined();
    const first = fresh.response.body.data?.patient;
    expect(first?.provenance).toMatchObject({ source: 'PDS', stale: false });
    expect(first?.provenance.ageSeconds).toBeLessThanOrEqual(1);
    expect(fresh.warnings).toEqual([]);
    const restricted = await readPatient('9000000025');
    expect(restricted.response.body.data?.patient).toMatchObject({ restricted: true, address: null });
    const readAt = Date.now();

    await setPdsFaults({ errorRate: 1, retryAfterSeconds: 0 });
    await resetSandbox(stack.sandboxUrl);
    try {
      const stale = await readPatient('9000000009');
      expect(stale.response.status).toBe(200);
      expect(stale.response.body.errors).toBeUndefined();
      const patient = stale.response.body.data?.patient;
      expect(patient).toMatchObject({ nhsNumber: '9000000009', name: first?.name });
      expect(patient?.provenance).toMatchObject({
        source: 'PDS',
        stale: true,
        retrievedAt: first?.provenance.retrievedAt, // when PDS gave it, not now
      });
      expect(patient?.provenance.ageSeconds).toBeGreaterThanOrEqual(0);
      // The warning reaches the client in the response extensions.
      expect(stale.warnings).toEqual([
        expect.objectContaining({
          code: 'STALE_DATA',
          path: ['patient'],
          service: 'PDS',
          subgraph: 'demographics',
          ageSeconds: patient?.provenance.ageSeconds,
        }),
      ]);
      // PDS was tried (with retries, one X-Request-ID) before the cache was used.
      const calls = (await sandboxRequests(stack.sandboxUrl)).log.filter((e) => e.upstream === 'pds');
      expect(calls.length).toBeGreaterThanOrEqual(1);
      expect(new Set(calls.map((c) => c.requestId)).size).toBe(1);

      // The audit trail says the read was served stale.
      const audit = await postGraphQL<{ auditRecords: { records: Array<Record<string, unknown>> } }>(
        stack.gatewayUrl,
        `query($filter: AuditFilter!) { auditRecords(filter: $filter) { records { nhsNumber outcome detail } } }`,
        { filter: { correlationId: stale.correlationId } },
        igOfficer,
      );
      expect(audit.body.errors).toBeUndefined();
      expect(audit.body.data?.auditRecords.records).toEqual([
        { nhsNumber: '9000000009', outcome: 'READ', detail: 'stale' },
      ]);

      // A restricted patient's kept record still withholds the address.
      const staleRestricted = await readPatient('9000000025');
      expect(staleRestricted.response.body.data?.patient).toMatchObject({
        restricted: true,
        address: null,
        provenance: { stale: true },
      });

      // Beyond the window: no data, the upstream error.
      const wait = readAt + WINDOW_SECONDS * 1000 + 1200 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const expired = await readPatient('9000000009');
      expect(expired.response.body.data?.patient).toBeNull();
      expect(errorCodes(expired.response)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(expired.warnings).toEqual([]);
    } finally {
      await setPdsFaults({});
    }
  }, 30_000);
});
