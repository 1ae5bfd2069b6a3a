// What leaves the gateway in production: no IDE, no introspection, no stack traces, internal
// hostnames or upstream bodies — even when an upstream is unreachable.
import { errorCodes, postGraphQL } from './graphql-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const OPERATIONS_TOKEN = 'an-operations-token-of-at-least-32-characters';
const stack = useTestStack(
  {
    NODE_ENV: 'production',
    INTERNAL_TOKEN_SECRET: 'a-production-like-secret-of-at-least-32-characters',
    // PDS is unreachable: the error must not say where nhs-graph tried to reach it.
    PDS_BASE_URL: 'http://127.0.0.1:9/personal-demographics/FHIR/R4',
    PDS_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'info',
    OPERATIONS_TOKEN: OPERATIONS_TOKEN,
  },
  { resetBeforeEach: false, stdio: 'capture' },
);
let headers: Record<string, string>;

beforeAll(async () => {
  headers = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
}, 60_000);

describe('the gateway with NODE_ENV=production', () => {
  it('serves no GraphiQL', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toMatch(/<html|graphiql/i);
  });

  it('refuses introspection', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      `{ __schema { types { name } } }`,
      undefined,
      headers,
    );
    expect(response.body.data?.['__schema'] ?? null).toBeNull();
    expect(response.body.errors?.length).toBeGreaterThan(0);
  });

  it('answers an unreachable upstream with UPSTREAM_UNAVAILABLE and nothing internal', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      `{ patient(nhsNumber: "9000000009") { nhsNumber } }`,
      undefined,
      headers,
    );
    expect(errorCodes(response)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|:9\/|ECONNREFUSED|stack|\.ts:\d+/i);
  });

  it('leaks no stack trace for a bad query', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      `{ patient(nhsNumber: "9000000009") { nhsNumbr } }`,
      undefined,
      headers,
    );
    const text = JSON.stringify(response.body);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/stack|\.ts:\d+|node_modules/i);
  });

  it('names no enum value or input field the caller did not write, in variables either', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      `query($c: PatientSearchInput!) { searchPatients(criteria: $c) { score } }`,
      { c: { famly: 'Smith', gender: 'FEMAL' } },
      headers,
    );
    expect(new Set(errorCodes(response))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(JSON.stringify(response.body)).not.toMatch(/did you mean|FEMALE|"family/i);
  });

  it('answers a required variable left out, or of the wrong type, with BAD_USER_INPUT (400) under either planner', async () => {
    const query = `query($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber } }`;
    for (const variables of [undefined, { n: 9000000009 }, { n: null }]) {
      const response = await postGraphQL(stack.gatewayUrl, query, variables, headers);
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('refuses non-JSON variables or extensions on a GET with BAD_USER_INPUT (400), logging no stack', async () => {
    const before = stack.logs().length;
    for (const params of [{ variables: '{nope' }, { extensions: 'not json' }, { variables: '[1]' }]) {
      const url = `${stack.gatewayUrl}?${new URLSearchParams({ documentId: 'sha256:00', ...params })}`;
      const response = await fetch(url, {
        headers: { ...headers, accept: 'application/json', 'apollo-require-preflight': 'true' },
      });
      const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: unknown } }> };
      expect(response.status).toBe(400);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the log lines arrive
    expect(stack.logs().slice(before).join('\n')).not.toMatch(/stack|SyntaxError|\.ts:\d+/i);
  });

  it('refuses a bad NHS number, literal or variable, as a whole with HTTP 400 (the status rule in the README)', async () => {
    const literal = await postGraphQL(
      stack.gatewayUrl,
      `{ patient(nhsNumber: "1234567890") { nhsNumber } }`,
      undefined,
      headers,
    );
    const variable = await postGraphQL(
      stack.gatewayUrl,
      `query($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber } }`,
      { n: '1234567890' },
      headers,
    );
    for (const response of [literal, variable]) {
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.status).toBe(400);
    }
  });
});

describe('operators’ endpoints in production', () => {
  const endpoint = (path: string) => stack.gatewayUrl.replace(/\/graphql$/, path);

  it.each(['/metrics', '/status'])(
    '%s answers 401 without the operations token, or with a client’s token',
    async (path) => {
      const anonymous = await fetch(endpoint(path));
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="nhs-graph-operations"');
      expect(await anonymous.text()).not.toContain('nhs_graph_');
      const client = await fetch(endpoint(path), { headers });
      expect(client.status).toBe(401);
    },
  );

  it('serves /metrics to a request bearing the operations token', async () => {
    const response = await fetch(endpoint('/metrics'), {
      headers: { authorization: `Bearer ${OPERATIONS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('nhs_graph_graphql_requests_total');
  });
});
