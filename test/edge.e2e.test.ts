// The protected edge over real HTTP, with real tokens: partners run only their own persisted
// operations; first-party apps use APQ or free-form queries; depth, alias, token, cost, batch and
// body limits; per-client rate limits; CORS, CSRF, GET rules and security headers. The stack runs
// with small limits so each can be exceeded with valid queries (the other e2e suites run under
// the defaults). Every refusal is checked to have reached no upstream.
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { createGateway } from '../gateway/server.js';
import { documentIdOf, loadPartners, type PersistedOperation } from '../gateway/partners.js';
import { loadGatewayConfig } from '../gateway/config.js';
import { createLogger } from '../platform/logger.js';
import { upstreamCalls } from './sandbox-client.js';
import { bearer, mintToken, type MintOptions, type Profile } from './tokens.js';
import { useTestStack } from './stack.js';

const LIMITS = {
  MAX_QUERY_DEPTH: '4',
  MAX_QUERY_ALIASES: '3',
  MAX_QUERY_TOKENS: '200',
  MAX_QUERY_COST: '90',
  MAX_BATCH_SIZE: '2',
  MAX_REQUEST_BYTES: '4000',
  RATE_LIMIT_REQUESTS: '30',
  RATE_LIMIT_WINDOW_SECONDS: '60',
  // Small enough that stalled clients could take every slot and queue place before the fix.
  GATEWAY_MAX_CONCURRENT_REQUESTS: '16',
  GATEWAY_MAX_QUEUED_REQUESTS: '32',
  GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: '100',
  GATEWAY_HEADERS_TIMEOUT_MS: '3000',
  GATEWAY_BODY_TIMEOUT_MS: '1500',
};
const ALLOWED_ORIGIN = 'https://app.example.nhs.uk';
const CSRF = { 'apollo-require-preflight': 'true' };

const stack = useTestStack({
  CORS_ORIGINS: ALLOWED_ORIGIN,
  // Each run its own keys, so runs (and suites) sharing one Redis do not share counters.
  REDIS_KEY_PREFIX: `nhs-graph-edge-test-${randomUUID()}:`,
  APQ_TTL_SECONDS: '300',
  ...LIMITS,
});
let clerk: Record<string, string>;
let clinician: Record<string, string>;
let acme: Record<string, string>;
let orgfinder: Record<string, string>;

const partners = loadPartners();
const acmeOp = (name: string): PersistedOperation => {
  const operation = [...(partners.partner('acme')?.operations.values() ?? [])].find((op) => op.name === name);
  if (!operation) throw new Error(`acme has no operation ${name}`);
  return operation;
};

const token = async (profile: Profile, options: MintOptions = {}) =>
  bearer(await mintToken(stack.sandboxUrl, profile, options));

beforeAll(async () => {
  [clerk, clinician, acme, orgfinder] = await Promise.all([
    token('clerk'),
    token('clinician'),
    token('partner', { clientId: 'acme', scopes: ['patient:demographics.read', 'organisation.read'] }),
    token('partner', { clientId: 'orgfinder', scopes: ['organisation.read'] }),
  ]);
}, 60_000);
interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

async function send(body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Answer['body']) : {},
  };
}

async function sendGet(
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${stack.gatewayUrl}?${new URLSearchParams(params).toString()}`, {
    headers: { accept: 'application/graphql-response+json', ...headers },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
  };
}

const codes = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.['code']);
const apq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
const NHS_NUMBER = { nhsNumber: '9000000009' };
const pdsCalls = () => upstreamCalls(stack.sandboxUrl, 'pds');

describe('partners run only their own persisted operations', () => {
  it('runs an operation from the partner’s manifest by sha256Hash', async () => {
    const operation = acmeOp('PatientDemographics');
    const answer = await send({ extensions: apq(operation.id), variables: NHS_NUMBER }, acme);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['patient']).toMatchObject({
      nhsNumber: '9000000009',
      name: { text: 'Mrs Jane Smith MBE' },
      gender: 'FEMALE',
      birthDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  it('runs an operation by documentId, answering every field with the partner’s configured scopes', async () => {
    const answer = await send({ documentId: acmeOp('PatientRegisteredGp').id, variables: NHS_NUMBER }, acme);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['patient']).toEqual({
      nhsNumber: '9000000009',
      registeredGp: { odsCode: 'Y12345' },
    });
  });

  it('runs a persisted query by GET (documentId in the query string)', async () => {
    const answer = await sendGet(
      { documentId: acmeOp('PatientDemographics').id, variables: JSON.stringify(NHS_NUMBER) },
      { ...acme, ...CSRF },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data?.['patient']).toMatchObject({ nhsNumber: '9000000009' });
  });

  it.each([
    ['a free-form query', () => ({ query: `{ patient(nhsNumber: "9000000009") { nhsNumber } }` })],
    [
      'the text of its own operation, without the id',
      () => ({ query: acmeOp('PatientDemographics').body, variables: NHS_NUMBER }),
    ],
    [
      'an APQ registration (hash and query)',
      () => ({
        query: acmeOp('PatientDemographics').body,
        variables: NHS_NUMBER,
        extensions: apq(acmeOp('PatientDemographics').id),
      }),
    ],
  ])('refuses %s with PERSISTED_QUERY_NOT_ALLOWED, calling nothing', async (_case, body) => {
    const answer = await send(body(), acme);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
    expect(answer.body.data).toBeUndefined();
    expect(await pdsCalls()).toBe(0);
  });

  it('refuses another partner’s operation with PERSISTED_QUERY_NOT_ALLOWED, calling nothing', async () => {
    const answer = await send(
      { documentId: acmeOp('PatientDemographics').id, variables: NHS_NUMBER },
      orgfinder,
    );
    expect(codes(answer)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
    expect(await pdsCalls()).toBe(0);
  });

  it('refuses an unknown hash with PERSISTED_QUERY_NOT_FOUND, calling nothing', async () => {
    const answer = await send({ extensions: apq(documentIdOf('{ me { subject } }')) }, acme);
    // Refused as a whole, like PERSISTED_QUERY_NOT_ALLOWED: the same status (README, "Errors").
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(await pdsCalls()).toBe(0);
  });

  it('answers a request by id without a token 401 UNAUTHENTICATED', async () => {
    const answer = await send({ documentId: acmeOp('PatientDemographics').id, variables: NHS_NUMBER });
    expect(answer.status).toBe(401);
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    expect(await pdsCalls()).toBe(0);
  });

  it('lets the partner run its connectivity check', async () => {
    const identity = [...(partners.partner('orgfinder')?.operations.values() ?? [])][0];
    const answer = await send({ documentId: identity?.id }, orgfinder);
    expect(answer.body.data?.['me']).toEqual({
      kind: 'PARTNER',
      subject: 'orgfinder',
      scopes: ['organisation.read'],
    });
  });
});

describe('first-party apps: free-form queries and automatic persisted queries (APQ)', () => {
  it('still run a free-form query', async () => {
    const answer = await send({ query: `{ patient(nhsNumber: "9000000009") { nhsNumber } }` }, clerk);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['patient']).toEqual({ nhsNumber: '9000000009' });
  });

  it('complete Apollo’s APQ round trip: unknown hash, register, then hash alone (also by GET)', async () => {
    // Unique per run, so the hash was never registered before.
    const query = `query Apq${randomUUID().replace(/-/g, '')}($nhsNumber: NhsNumber!) { patient(nhsNumber: $nhsNumber) { nhsNumber birthDate } }`;
    const hash = documentIdOf(query);

    const miss = await send({ extensions: apq(hash), variables: NHS_NUMBER }, clinician);
    expect(miss.status).toBe(400);
    expect(codes(miss)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(miss.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect(await pdsCalls()).toBe(0);

    const register = await send({ query, extensions: apq(hash), variables: NHS_NUMBER }, clinician);
    expect(register.body.errors).toBeUndefined();
    expect(register.body.data?.['patient']).toMatchObject({ nhsNumber: '9000000009' });

    const hit = await send({ extensions: apq(hash), variables: NHS_NUMBER }, clerk);
    expect(hit.body.errors).toBeUndefined();
    expect(hit.body.data?.['patient']).toMatchObject({ nhsNumber: '9000000009' });

    const get = await sendGet(
      { extensions: JSON.stringify(apq(hash)), variables: JSON.stringify(NHS_NUMBER) },
      { ...clerk, ...CSRF },
    );
    expect(get.status).toBe(200);
    expect(get.body.data?.['patient']).toMatchObject({ nhsNumber: '9000000009' });
  });

  it('refuse a hash that is not the sha256 of its query, registering nothing', async () => {
    const query = `{ patient(nhsNumber: "9000000009") { nhsNumber } }`;
    const wrong = documentIdOf(`${query} `);
    const answer = await send({ query, extensions: apq(wrong) }, clerk);
    expect(codes(answer)).toEqual(['PERSISTED_QUERY_HASH_MISMATCH']);
    expect(codes(await send({ extensions: apq(wrong) }, clerk))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(await pdsCalls()).toBe(0);
  });

  it('do not register a query that fails validation', async () => {
    const query = `{ patient(nhsNumber: "9000000009") { nhsNumber noSuchField${randomUUID().slice(0, 8)} } }`;
    const hash = documentIdOf(query);
    expect(codes(await send({ query, extensions: apq(hash) }, clerk))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await send({ extensions: apq(hash) }, clerk))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

describe('query limits', () => {
  const FULL = `nhsNumber name { text given family } names { text } birthDate gender address { lines postcode }
    telecom { value } registeredGp { odsCode } provenance { source retrievedAt stale }`;
  const patient = (alias: string) => `${alias}: patient(nhsNumber: "9000000009") { nhsNumber }`;

  it.each([
    ['QUERY_TOO_DEEP', 400, `{ me { patient { name { period { start } } } } }`],
    ['TOO_MANY_ALIASES', 400, `{ ${['a', 'b', 'c', 'd'].map(patient).join(' ')} }`],
    ['TOO_MANY_TOKENS', 400, `{ me { ${'subject '.repeat(200)} } }`],
    [
      'QUERY_TOO_COMPLEX',
      400,
      `{ a: patient(nhsNumber: "9000000009") { ${FULL} } b: patient(nhsNumber: "9000000017") { ${FULL} } }`,
    ],
  ])('refuses with %s, calling nothing', async (code, status, query) => {
    const answer = await send({ query }, clerk);
    expect(answer.status).toBe(status);
    expect(codes(answer)).toEqual([code]);
    expect(answer.body.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    expect(await pdsCalls()).toBe(0);
  });

  it('answers a query at the limits', async () => {
    const answer = await send({ query: `{ ${['a', 'b', 'c'].map(patient).join(' ')} }` }, clerk);
    expect(answer.body.errors).toBeUndefined();
  });

  it('refuses a batch larger than the limit with BATCH_TOO_LARGE (413), and runs one within it', async () => {
    const op = { query: `{ me { subject } }` };
    const tooMany = await send([op, op, op], clerk);
    expect(tooMany.status).toBe(413);
    expect(codes(tooMany)).toEqual(['BATCH_TOO_LARGE']);
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...clerk },
      body: JSON.stringify([op, op]),
    });
    const results = (await response.json()) as Array<{ data?: unknown }>;
    expect(results).toHaveLength(2);
    expect(results.every((result) => result.data)).toBe(true);
  });

  it('refuses a body over the limit with REQUEST_TOO_LARGE (413), by Content-Length', async () => {
    const answer = await send({ query: `{ me { subject } }`, variables: { pad: 'x'.repeat(5000) } }, clerk);
    expect(answer.status).toBe(413);
    expect(codes(answer)).toEqual(['REQUEST_TOO_LARGE']);
    // The unread body leaves the connection unusable: the client is told not to reuse it.
    expect(answer.headers.get('connection')).toBe('close');
  });

  it('refuses a streamed body over the limit with REQUEST_TOO_LARGE, without Content-Length', async () => {
    const payload = new TextEncoder().encode(
      JSON.stringify({ query: `{ me { subject } }`, variables: { pad: 'x'.repeat(5000) } }),
    );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < payload.length; i += 1000) controller.enqueue(payload.slice(i, i + 1000));
        controller.close();
      },
    });
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...clerk },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(((await response.json()) as Answer['body']).errors?.[0]?.extensions?.['code']).toBe(
      'REQUEST_TOO_LARGE',
    );
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After and RATE_LIMITED past the limit; another client is unaffected', async () => {
    const busy = await token('citizen', { nhsNumber: '9000000017', level: 'P9' });
    const other = await token('citizen', { nhsNumber: '9000000033', level: 'P9' });
    const limit = Number(LIMITS.RATE_LIMIT_REQUESTS);
    const answers = await Promise.all(
      Array.from({ length: limit + 1 }, () => send({ query: `{ me { kind } }` }, busy)),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(limit);
    expect(refused).toHaveLength(1);
    expect(codes(refused[0] as Answer)).toEqual(['RATE_LIMITED']);
    const retryAfter = Number(refused[0]?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(Number(LIMITS.RATE_LIMIT_WINDOW_SECONDS));

    const unaffected = await send({ query: `{ me { kind } }` }, other);
    expect(unaffected.status).toBe(200);
    expect(unaffected.body.data?.['me']).toEqual({ kind: 'CITIZEN' });
  });
});

describe('HTTP hygiene', () => {
  const preflight = (origin: string) =>
    fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('allows a CORS preflight from a configured origin', async () => {
    const response = await preflight(ALLOWED_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it.each(['https://evil.example', 'http://localhost:3000'])(
    'gives no CORS headers to %s',
    async (origin) => {
      const response = await preflight(origin);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const answer = await send({ query: `{ me { kind } }` }, { ...clerk, origin });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('refuses a simple-request-style POST without a CSRF header (CSRF_HEADER_REQUIRED), before any token check', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/graphql-response+json', ...clerk },
      body: JSON.stringify({ query: `{ patient(nhsNumber: "9000000009") { nhsNumber } }` }),
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as Answer['body'];
    expect(body.errors?.map((error) => error.extensions?.['code'])).toEqual(['CSRF_HEADER_REQUIRED']);
    expect(await pdsCalls()).toBe(0);
  });

  it('refuses a GET without a CSRF header', async () => {
    const answer = await sendGet(
      { documentId: acmeOp('PatientDemographics').id, variables: JSON.stringify(NHS_NUMBER) },
      acme,
    );
    expect(answer.status).toBe(403);
    expect(codes(answer)).toEqual(['CSRF_HEADER_REQUIRED']);
  });

  it('refuses a free-form query by GET (METHOD_NOT_ALLOWED, 405)', async () => {
    const answer = await sendGet(
      { query: `{ patient(nhsNumber: "9000000009") { nhsNumber } }` },
      { ...clerk, ...CSRF },
    );
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(codes(answer)).toEqual(['METHOD_NOT_ALLOWED']);
    expect(await pdsCalls()).toBe(0);
  });

  it('sends security headers, and no-store on answers with patient data', async () => {
    const answer = await send({ query: `{ patient(nhsNumber: "9000000009") { nhsNumber } }` }, clerk);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    // Strict-Transport-Security only in production (see below).
    expect(answer.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('in production', () => {
  // The same gateway in-process with production configuration, against this stack's issuers:
  // validation errors (which need no subgraph) and headers are what differ.
  const production = () => {
    const config = loadGatewayConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      INTERNAL_TOKEN_SECRET: 'edge-e2e-production-secret-at-least-32-characters',
      SANDBOX_PORT: new URL(stack.sandboxUrl).port,
    });
    return createGateway(config, createLogger('gateway', 'silent'));
  };

  it('hides field suggestions and sends Strict-Transport-Security', async () => {
    const gateway = production();
    try {
      const query = `{ patient(nhsNumber: "9000000009") { nhsNumbr } }`;
      const response = await gateway.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...clerk },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as Answer['body'];
      expect(body.errors?.[0]?.message).toContain('nhsNumbr');
      expect(body.errors?.[0]?.message).not.toMatch(/Did you mean/);
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);

      const development = await send({ query }, clerk);
      expect(development.body.errors?.[0]?.message).toMatch(/Did you mean "nhsNumber"/);
    } finally {
      await gateway.dispose();
    }
  });

  it('allows no CORS origin unless configured', async () => {
    const gateway = production();
    try {
      const response = await gateway.fetch('http://gateway.test/graphql', {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await gateway.dispose();
    }
  });
});

describe('slow and anonymous clients cannot hold the gateway (issue 15, item 3)', () => {
  interface RawClient {
    socket: Socket;
    /** Resolves with everything the gateway sent once it closes the connection. */
    closed: Promise<string>;
  }

  /** A raw connection that sends `request` (headers and the start of a body) and then stalls. */
  function stalledClient(request: string): Promise<RawClient> {
    const { hostname, port } = new URL(stack.gatewayUrl);
    return new Promise((resolve) => {
      const socket = new Socket();
      let received = '';
      const closed = new Promise<string>((done) => {
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => done(received));
      });
      socket.connect(Number(port), hostname, () => {
        if (request) socket.write(request);
        resolve({ socket, closed });
      });
      socket.on('error', () => resolve({ socket, closed }));
    });
  }

  const stalledPost = (headers: Record<string, string>) =>
    [
      'POST /graphql HTTP/1.1',
      `Host: ${new URL(stack.gatewayUrl).host}`,
      'Content-Type: application/json',
      'Content-Length: 1000',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      '',
      '{"query":"{ me',
    ].join('\r\n');

  const normalQuery = () => send({ query: `{ me { kind } }` }, clerk);

  it('closes 300 unauthenticated stalled connections (401 or refused) without reading their bodies; normal queries still answer', async () => {
    const clients = await Promise.all(Array.from({ length: 300 }, () => stalledClient(stalledPost({}))));
    const answers = await Promise.all(clients.map((client) => client.closed));
    const statuses = answers.map((answer) => /^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 'closed');
    expect(statuses.filter((status) => status !== '401' && status !== 'closed')).toEqual([]);
    expect(statuses).toContain('401');
    const answer = await normalQuery();
    expect(answer.status).toBe(200);
    expect(answer.body.data?.['me']).toEqual({ kind: 'STAFF' });
  });

  it('answers authenticated clients stalled mid-body 408 REQUEST_TIMEOUT after GATEWAY_BODY_TIMEOUT_MS and closes them; normal queries answer again', async () => {
    const clients = await Promise.all(Array.from({ length: 60 }, () => stalledClient(stalledPost(clerk))));
    try {
      const answers = await Promise.all(clients.map((client) => client.closed));
      const statuses = answers.map((answer) => /^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 'closed');
      // Those past the admission queue are refused 503 at once; the rest time out, 408.
      expect(statuses.filter((status) => status !== '408' && status !== '503')).toEqual([]);
      const timedOut = answers.find((answer) => answer.startsWith('HTTP/1.1 408 '));
      expect(timedOut).toContain('"code":"REQUEST_TIMEOUT"');
      const answer = await normalQuery();
      expect(answer.status).toBe(200);
      expect(answer.body.data?.['me']).toEqual({ kind: 'STAFF' });
    } finally {
      clients.forEach(({ socket }) => socket.destroy());
    }
  });

  it('closes connections from one address beyond GATEWAY_MAX_CONNECTIONS_PER_ADDRESS at once', async () => {
    const cap = Number(LIMITS.GATEWAY_MAX_CONNECTIONS_PER_ADDRESS);
    const extra = 20;
    const clients = await Promise.all(Array.from({ length: cap + extra }, () => stalledClient('')));
    try {
      let closedCount = 0;
      const enoughClosed = new Promise<void>((resolve) => {
        for (const client of clients) {
          void client.closed.then(() => {
            closedCount += 1;
            if (closedCount === extra) resolve();
          });
        }
      });
      await enoughClosed;
      // The rest are still open: the refused ones were the extra connections, not a timeout.
      const open = clients.filter(({ socket }) => !socket.destroyed && socket.readyState === 'open');
      expect(open.length).toBeGreaterThan(cap - extra);
      expect(open.length).toBeLessThanOrEqual(cap);
    } finally {
      clients.forEach(({ socket }) => socket.destroy());
    }
    // Once they are gone, the address may connect again.
    await Promise.all(clients.map((client) => client.closed));
    let answer: Answer | undefined;
    for (let attempt = 0; attempt < 20 && answer?.status !== 200; attempt += 1) {
      answer = await normalQuery().catch(() => undefined);
    }
    expect(answer?.status).toBe(200);
  });
});

describe('query planner (GATEWAY_QUERY_PLANNER)', () => {
  // The same gateway in-process against this stack's subgraphs, with each planner in turn.
  const subgraphUrlSettings = () =>
    Object.fromEntries(
      Object.entries(stack.subgraphUrls).map(([name, url]) => [
        `${name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_URL`,
        url,
      ]),
    );
  const query = `{ patient(nhsNumber: "9000000009") { nhsNumber name { family } medications { items { originalText status } } } }`;

  it.each([
    [undefined, 'rust'],
    ['rust', 'rust'],
    ['js', 'js'],
  ])(
    'GATEWAY_QUERY_PLANNER=%s runs the %s planner, says so at start-up and in /status, and answers as the stack does',
    async (setting, planner) => {
      const config = loadGatewayConfig({
        NODE_ENV: 'test',
        SANDBOX_PORT: new URL(stack.sandboxUrl).port,
        ...subgraphUrlSettings(),
        ...(setting === undefined ? {} : { GATEWAY_QUERY_PLANNER: setting }),
      });
      const lines: Array<{ msg: string; queryPlanner?: string }> = [];
      const logger = createLogger('gateway', 'info', {
        write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }),
      });
      const gateway = createGateway(config, logger);
      try {
        expect(lines.find((line) => line.msg.startsWith('query planner'))?.queryPlanner).toBe(planner);
        const status = (await (await gateway.fetch('http://gateway.test/status')).json()) as {
          queryPlanner: string;
        };
        expect(status.queryPlanner).toBe(planner);

        const citizen = await token('citizen', { nhsNumber: '9000000009', level: 'P9' });
        const response = await gateway.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...CSRF, ...citizen },
          body: JSON.stringify({ query }),
        });
        const answer = (await response.json()) as Answer['body'];
        expect(answer.errors).toBeUndefined();
        expect(answer).toEqual((await send({ query }, citizen)).body);
        expect(answer.data?.['patient']).toMatchObject({ nhsNumber: '9000000009' });
      } finally {
        await gateway.dispose();
      }
    },
  );
});
