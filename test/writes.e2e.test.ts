// Writes end to end: sandbox PDS <- demographics subgraph <- Hive Gateway, each its own process.
// A mutation sent twice (a client retrying after a lost answer) reaches PDS once; a write never
// travels by GET; and each write is in the audit trail before and after it is sent.
import { randomUUID } from 'node:crypto';
import { documentIdOf } from '../gateway/partners.js';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { sandboxRequests } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({ REDIS_KEY_PREFIX: `nhs-graph-e2e-${randomUUID()}:` });
let asClerk: Record<string, string>;
let igOfficer: Record<string, string>;

beforeAll(async () => {
  asClerk = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
  igOfficer = bearer(await mintToken(stack.sandboxUrl, 'ig-officer'));
}, 60_000);

const UPDATE = `mutation UpdateAddress($input: UpdatePatientAddressInput!) {
  updatePatientAddress(input: $input) { nhsNumber version address { lines postcode } }
}`;
const READ = `query Version($n: NhsNumber!) { patient(nhsNumber: $n) { version address { postcode } } }`;

const pdsPatches = async () =>
  (await sandboxRequests(stack.sandboxUrl)).log.filter((e) => e.upstream === 'pds' && e.method === 'PATCH');

describe('updatePatientAddress through the gateway', () => {
  it('writes once when the client sends the same mutation again, and gives both the same answer', async () => {
    const read = await postGraphQL(stack.gatewayUrl, READ, { n: '9000000009' }, asClerk);
    expect(read.body.data?.['patient']).toMatchObject({ version: '2' });
    const input = {
      nhsNumber: '9000000009',
      version: '2',
      lines: ['2 Whitehall Quay', 'Leeds'],
      postcode: 'LS1 4BU',
      idempotencyKey: randomUUID(),
    };
    const correlationId = `write-e2e-${randomUUID()}`;
    const first = await postGraphQL(
      stack.gatewayUrl,
      UPDATE,
      { input },
      { ...asClerk, 'x-correlation-id': correlationId },
    );
    const again = await postGraphQL(stack.gatewayUrl, UPDATE, { input }, asClerk);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toEqual({
      updatePatientAddress: {
        nhsNumber: '9000000009',
        version: '3',
        address: { lines: ['2 Whitehall Quay', 'Leeds'], postcode: 'LS1 4BU' },
      },
    });
    expect(again.body).toEqual(first.body);
    const patches = await pdsPatches();
    expect(patches).toHaveLength(1);

    // The audit trail holds the write before it was sent and once PDS accepted it.
    const audit = await postGraphQL<{ auditRecords: { records: Array<Record<string, unknown>> } }>(
      stack.gatewayUrl,
      `query($f: AuditFilter!) { auditRecords(filter: $f) { records { outcome service nhsNumber detail operationName } } }`,
      { f: { correlationId } },
      igOfficer,
    );
    expect(audit.body.errors).toBeUndefined();
    expect(audit.body.data?.auditRecords.records).toEqual(
      expect.arrayContaining([
        {
          outcome: 'WRITE_REQUESTED',
          service: 'PDS',
          nhsNumber: '9000000009',
          detail: patches[0]?.requestId,
          operationName: 'UpdateAddress',
        },
        {
          outcome: 'WRITTEN',
          service: 'PDS',
          nhsNumber: '9000000009',
          detail: patches[0]?.requestId,
          operationName: 'UpdateAddress',
        },
      ]),
    );
  });

  it('refuses a stale version with CONFLICT / RESOURCE_VERSION_MISMATCH', async () => {
    const answer = await postGraphQL(
      stack.gatewayUrl,
      UPDATE,
      {
        input: {
          nhsNumber: '9000000009',
          version: '1',
          lines: ['1 Lane'],
          postcode: 'LS1 4BU',
          idempotencyKey: randomUUID(),
        },
      },
      asClerk,
    );
    expect(errorCodes(answer)).toEqual(['CONFLICT']);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({
      upstreamCode: 'RESOURCE_VERSION_MISMATCH',
      service: 'PDS',
    });
  });

  it('never runs a mutation sent by GET, even one registered as a persisted query', async () => {
    const input = {
      nhsNumber: '9000000009',
      version: '2',
      lines: ['1 Lane'],
      postcode: 'LS1 4BU',
      idempotencyKey: randomUUID(),
    };
    const hash = documentIdOf(UPDATE);
    const persistedQuery = { version: 1, sha256Hash: hash };
    const registered = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asClerk },
      body: JSON.stringify({ query: UPDATE, variables: { input }, extensions: { persistedQuery } }),
    });
    expect(registered.status).toBe(200);
    expect(await pdsPatches()).toHaveLength(1);
    const params = new URLSearchParams({
      extensions: JSON.stringify({ persistedQuery }),
      variables: JSON.stringify({ input: { ...input, idempotencyKey: randomUUID() } }),
    });
    const get = await fetch(`${stack.gatewayUrl}?${params.toString()}`, {
      headers: {
        accept: 'application/graphql-response+json',
        'apollo-require-preflight': 'true',
        ...asClerk,
      },
    });
    const body = (await get.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    expect(get.status).toBe(405);
    expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['METHOD_NOT_ALLOWED']);
    expect(await pdsPatches()).toHaveLength(1);
  });
});
