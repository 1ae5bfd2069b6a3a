// A subgraph over real HTTP accepts only what the gateway sends: a JSON POST to /graphql, nothing
// in the URL, carrying a token signed for exactly that request, once. Anything else is refused
// with a code, runs nothing and audits nothing (a replayed token would be audited in its owner's name).
import { parse } from 'graphql';
import { allow, shield } from 'graphql-shield';
import { createMemoryAuditStore } from './audit/memory-store.js';
import { signInternalToken, type SignedRequest } from './internal-token.js';
import { createLogger } from './logger.js';
import { metricsRegistry, registerOperationNames } from './metrics.js';
import {
  listenSubgraph,
  type RequestScope,
  type RunningSubgraph,
  type SubgraphDefinition,
} from './subgraph.js';
import { clerk } from '../test/principals.js';
import { sendToSubgraph } from '../test/raw-subgraph-request.js';

const secret = new TextEncoder().encode('subgraph-test-secret-0123456789abcdefghij');
const auditStore = createMemoryAuditStore();
let resolved = 0;

/** A subgraph whose one field records an audited read, so every execution leaves a trace. */
const definition: SubgraphDefinition<Record<string, never>, Record<string, never>> = {
  name: 'demographics',
  typeDefs: parse('type Query { secret: String }'),
  resolvers: {
    Query: {
      secret: async (_: unknown, __: unknown, context: RequestScope) => {
        resolved += 1;
        await context.audit.recordAccess('TEST', [
          { nhsNumber: null, resourceTypes: ['X'], outcome: 'read' },
        ]);
        return 'shown';
      },
    },
  },
  permissions: shield({ Query: { secret: allow } }, { allowExternalErrors: true }),
  createContext: (scope) => ({ ...scope, loaders: {}, sources: {} }),
};

let subgraph: RunningSubgraph;
beforeAll(async () => {
  subgraph = await listenSubgraph(definition, {
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('test', 'silent'),
    internalTokenSecret: secret,
    auditStore,
  });
});
afterAll(() => subgraph.close());
beforeEach(() => {
  resolved = 0;
  auditStore.records.splice(0);
});

const BODY = JSON.stringify({ query: '{ secret }' });
const OTHER = JSON.stringify({ query: '{ __typename }' });
const signed = (change: Partial<SignedRequest> = {}) =>
  signInternalToken(
    { principal: clerk(), correlationId: 'cid-subgraph-test' },
    { subgraph: 'demographics', method: 'POST', path: '/graphql', body: BODY, ...change },
    secret,
  );

/** A raw HTTP request to the running subgraph (fetch cannot send a GET with a body, which an attacker can). */
const send = (method: string, path: string, token: string, body: string, type = 'application/json') =>
  sendToSubgraph(new URL(path, subgraph.url).href, method, token, body, type);

const query = encodeURIComponent('{ secret }');

describe('what a subgraph accepts', () => {
  it('answers the gateway’s signed POST once', async () => {
    const answer = await send('POST', '/graphql', await signed(), BODY);
    expect(answer).toEqual({ status: 200, code: undefined, data: { secret: 'shown' } });
    expect(auditStore.records.map((r) => r.correlationId)).toEqual(['cid-subgraph-test']);
  });

  it('refuses a GET with a query string, even carrying the signed body', async () => {
    const answer = await send('GET', `/graphql?query=${query}`, await signed({ body: OTHER }), OTHER);
    expect([answer.status, answer.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect([resolved, auditStore.records.length]).toEqual([0, 0]);
  });

  it('refuses a GET signed as a GET', async () => {
    const answer = await send(
      'GET',
      `/graphql?query=${query}`,
      await signed({ method: 'GET', body: '' }),
      '',
    );
    expect([answer.status, answer.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect([resolved, auditStore.records.length]).toEqual([0, 0]);
  });

  it('refuses a POST with a query string', async () => {
    const answer = await send('POST', `/graphql?query=${query}`, await signed({ body: OTHER }), OTHER);
    expect([answer.status, answer.code]).toEqual([400, 'BAD_REQUEST']);
    expect([resolved, auditStore.records.length]).toEqual([0, 0]);
  });

  it('refuses a body that is not JSON', async () => {
    const answer = await send('POST', '/graphql', await signed(), BODY, 'text/plain');
    expect([answer.status, answer.code]).toEqual([415, 'BAD_REQUEST']);
    expect(resolved).toBe(0);
  });

  it('refuses the exact signed POST sent a second time, running and auditing nothing', async () => {
    const token = await signed();
    expect((await send('POST', '/graphql', token, BODY)).status).toBe(200);
    const replay = await send('POST', '/graphql', token, BODY);
    expect([replay.status, replay.code, replay.data]).toEqual([401, 'UNAUTHENTICATED', undefined]);
    expect([resolved, auditStore.records.length]).toEqual([1, 1]);
  });

  it.each<[string, Partial<SignedRequest>]>([
    ['another subgraph', { subgraph: 'careRecord' }],
    ['another path', { path: '/graphql/other' }],
    ['another method', { method: 'PUT' }],
    ['another body', { body: OTHER }],
  ])('refuses a token signed for %s', async (_, change) => {
    const answer = await send('POST', '/graphql', await signed(change), BODY);
    expect([answer.status, answer.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect([resolved, auditStore.records.length]).toEqual([0, 0]);
  });
});

// A second subgraph on a port already taken used to wait forever: listen's error went unheard.
describe('starting on a port that is taken', () => {
  it('fails with EADDRINUSE instead of hanging', async () => {
    const { port } = new URL(subgraph.url);
    await expect(
      listenSubgraph(definition, {
        port: Number(port),
        host: '127.0.0.1',
        logger: createLogger('test', 'silent'),
        internalTokenSecret: secret,
        auditStore,
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

// The planner names (or leaves unnamed) its own fetch to a subgraph, so the subgraph used to count
// every request as `other`: it now counts under the client's operation, as the gateway signed it.
describe("a subgraph's request metric", () => {
  it("is labelled with the client's registered operation name from the signed token", async () => {
    registerOperationNames(['PartnerSecretLookup']);
    const token = await signInternalToken(
      { principal: clerk(), correlationId: 'cid-metric', operationName: 'PartnerSecretLookup' },
      { subgraph: 'demographics', method: 'POST', path: '/graphql', body: BODY },
      secret,
    );
    expect((await send('POST', '/graphql', token, BODY)).status).toBe(200);
    const metric = await metricsRegistry.getSingleMetric('nhs_graph_graphql_requests_total')?.get();
    const counted = (metric?.values ?? []).find(
      (value) => value.labels['operation'] === 'PartnerSecretLookup' && value.labels['outcome'] === 'ok',
    );
    expect(counted?.value).toBe(1);
  });
});
