// Gateway -> subgraph trust against the running stack: a subgraph runs only the gateway's request,
// once. A token seen on the wire cannot be replayed — through a GET's query string, as the same
// POST again, or at another subgraph — and a refused request reaches no upstream and is audited
// in nobody's name. The gateway still gets a fresh token for every fetch it makes.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signInternalToken, type SignedRequest } from '../platform/internal-token.js';
import { clerk } from './principals.js';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { sandboxRequests, upstreamCalls } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';
import { sendToSubgraph } from './raw-subgraph-request.js';

const auditDir = mkdtempSync(join(tmpdir(), 'nhs-graph-trust-e2e-'));
const stack = useTestStack({ AUDIT_DIR: auditDir });
// Correlation ids unique to this run: with DATABASE_URL the audit table outlives it.
const RUN = randomUUID();
afterAll(() => rmSync(auditDir, { recursive: true, force: true }));
const LOCAL_SECRET = new TextEncoder().encode('nhs-graph-local-development-secret-not-for-production');

const ENTITIES_QUERY =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber name { text } } } }';
const ENTITIES_VARIABLES = { r: [{ __typename: 'Patient', nhsNumber: '9000000009' }] };
const ENTITIES = JSON.stringify({ query: ENTITIES_QUERY, variables: ENTITIES_VARIABLES });

/** A token as the gateway signs it (the local development secret the stack runs with). */
const tokenFor = (correlationId: string, request: Partial<SignedRequest> = {}) =>
  signInternalToken(
    { principal: clerk(), correlationId },
    { subgraph: 'demographics', method: 'POST', path: '/graphql', body: ENTITIES, ...request },
    LOCAL_SECRET,
  );

const send = (url: string, method: string, token: string, body: string) =>
  sendToSubgraph(url, method, token, body);

const subgraphUrl = (name: string) => stack.subgraphUrls[name] ?? '';

async function auditedCorrelationIds(): Promise<string[]> {
  const response = await postGraphQL<{ auditRecords: { records: Array<{ correlationId: string }> } }>(
    stack.gatewayUrl,
    'query($f: AuditFilter!) { auditRecords(filter: $f, first: 100) { records { correlationId } } }',
    { f: { patient: '9000000009' } },
    await stack.bearer('ig-officer'),
  );
  return (response.body.data?.auditRecords.records ?? []).map((record) => record.correlationId);
}

describe('a subgraph refuses a replayed internal token', () => {
  it('through a GET with a query string, even carrying the signed body', async () => {
    const token = await tokenFor(`replay-get-${RUN}`);
    const query = encodeURIComponent(ENTITIES_QUERY);
    const variables = encodeURIComponent(JSON.stringify(ENTITIES_VARIABLES));
    const url = `${subgraphUrl('demographics')}?query=${query}&variables=${variables}`;
    const answer = await send(url, 'GET', token, ENTITIES);
    expect([answer.status, answer.code, answer.data]).toEqual([405, 'METHOD_NOT_ALLOWED', undefined]);
    expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(0);
    expect(await auditedCorrelationIds()).not.toContain(`replay-get-${RUN}`);
  });

  it('as the exact signed POST sent twice: the second runs and audits nothing', async () => {
    const token = await tokenFor(`replay-post-${RUN}`);
    const first = await send(subgraphUrl('demographics'), 'POST', token, ENTITIES);
    expect(first.status).toBe(200);
    const again = await send(subgraphUrl('demographics'), 'POST', token, ENTITIES);
    expect([again.status, again.code, again.data]).toEqual([401, 'UNAUTHENTICATED', undefined]);
    expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(1);
    expect((await auditedCorrelationIds()).filter((id) => id === `replay-post-${RUN}`)).toHaveLength(1);
  });

  it('at another subgraph, path or method than the one it was signed for', async () => {
    const forDemographics = await tokenFor(`replay-elsewhere-${RUN}`);
    const careRecord = await send(subgraphUrl('careRecord'), 'POST', forDemographics, ENTITIES);
    expect([careRecord.status, careRecord.code]).toEqual([401, 'UNAUTHENTICATED']);
    const otherPath = await send(
      subgraphUrl('demographics'),
      'POST',
      await tokenFor('x', { path: '/' }),
      ENTITIES,
    );
    expect([otherPath.status, otherPath.code]).toEqual([401, 'UNAUTHENTICATED']);
    const otherMethod = await send(
      subgraphUrl('demographics'),
      'POST',
      await tokenFor('x', { method: 'GET' }),
      ENTITIES,
    );
    expect([otherMethod.status, otherMethod.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await sandboxRequests(stack.sandboxUrl)).log).toEqual([]);
  });
});

describe('the gateway', () => {
  it('signs every fetch afresh: the same query twice, joined across subgraphs, answers both times', async () => {
    const headers = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
    const query = '{ patient(nhsNumber: "9000000009") { nhsNumber registeredGp { odsCode name } } }';
    for (const _ of [1, 2]) {
      const response = await postGraphQL(stack.gatewayUrl, query, undefined, headers);
      expect(errorCodes(response)).toEqual([]);
      expect(response.body.data?.['patient']).toMatchObject({
        registeredGp: { odsCode: expect.any(String) },
      });
    }
  });
});
