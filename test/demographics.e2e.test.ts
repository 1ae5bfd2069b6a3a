// End to end over real HTTP: sandbox PDS <- demographics subgraph <- Hive Gateway, each its own
// process on free ports, exactly as `npm start` runs them.
import { errorCodes, postGraphQL } from './graphql-client.js';
import { sandboxRequests, upstreamCalls } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({ NODE_ENV: 'test' });
let asClerk: Record<string, string>;

beforeAll(async () => {
  asClerk = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
}, 60_000);

/** Every query here is a clerk's (staff with a demographics activity); auth.e2e covers the rest. */
const query = <TData = Record<string, unknown>>(
  document: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
) => postGraphQL<TData>(stack.gatewayUrl, document, variables, { ...asClerk, ...headers });

const PATIENT_FIELDS = `
  nhsNumber
  name { text given family prefix }
  names { use text }
  birthDate
  gender
  address { lines postcode }
  telecom { system value use }
  deceased { dateTime notificationStatus }
  registeredGp { odsCode }
  restricted
  supersededNhsNumbers
  provenance { source retrievedAt stale }
`;

describe('patient(nhsNumber) through the gateway', () => {
  it('answers the full PDS sandbox record, mapped to the canonical graph', async () => {
    const response = await query(`{ patient(nhsNumber: "9000000009") { ${PATIENT_FIELDS} } }`);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['patient']).toMatchObject({
      nhsNumber: '9000000009',
      name: { text: 'Mrs Jane Smith MBE', family: 'Smith', given: ['Jane'] },
      birthDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      gender: 'FEMALE',
      deceased: { notificationStatus: 'FORMAL' },
      registeredGp: { odsCode: 'Y12345' },
      restricted: false,
      supersededNhsNumbers: [],
      provenance: { source: 'PDS', stale: false },
    });
  });

  it('withholds address, telecom and GP of a restricted patient', async () => {
    const response = await query(`{ patient(nhsNumber: "9000000025") { ${PATIENT_FIELDS} } }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['patient']).toMatchObject({
      nhsNumber: '9000000025',
      restricted: true,
      address: null,
      telecom: [],
      registeredGp: null,
    });
  });

  it('answers null with NOT_FOUND for a number PDS does not know', async () => {
    const response = await query(`{ patient(nhsNumber: "9111231130") { nhsNumber } }`);
    expect(response.body.data?.['patient']).toBeNull();
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect(response.body.errors?.[0]?.path).toEqual(['patient']);
  });

  it.each([
    ['a literal', `{ patient(nhsNumber: "9000000001") { nhsNumber } }`, undefined],
    ['a variable', `query($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber } }`, { n: '123' }],
    ['a number, not a string', `{ patient(nhsNumber: 9000000009) { nhsNumber } }`, undefined],
  ])(
    'refuses an invalid NHS number given as %s with BAD_USER_INPUT, before calling PDS',
    async (_kind, document, variables) => {
      const response = await query(document, variables);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.['argument']).toBe('nhsNumber');
      expect(response.body.errors?.[0]?.message).toContain('nhsNumber');
      expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(0);
    },
  );

  it('checks variables per request, even when the same document is reused', async () => {
    const document = `query P($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber } }`;
    const bad = await query(document, { n: '9000000001' });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    const good = await query(document, { n: '9000000009' });
    expect(good.body.errors).toBeUndefined();
    expect(good.body.data).toEqual({ patient: { nhsNumber: '9000000009' } });
    const badAgain = await query(document, { n: '123' });
    expect(badAgain.body.errors?.[0]?.extensions?.['argument']).toBe('nhsNumber');
    expect(JSON.stringify(badAgain.body)).not.toContain('9000000001');
  });

  it('costs one PDS call when the same patient is asked for twice in one query', async () => {
    const response = await query(
      `{ a: patient(nhsNumber: "9000000009") { nhsNumber } b: patient(nhsNumber: "9000000009") { birthDate } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toMatchObject({ a: { nhsNumber: '9000000009' }, b: {} });
    expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(1);
  });

  it('sends PDS a UUID X-Request-ID and the caller’s X-Correlation-ID, and returns it', async () => {
    const correlationId = 'e2e-correlation-0001';
    const response = await query(`{ patient(nhsNumber: "9000000033") { nhsNumber } }`, undefined, {
      'x-correlation-id': correlationId,
    });
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);
    const { log } = await sandboxRequests(stack.sandboxUrl);
    expect(log).toHaveLength(1);
    expect(log[0]?.correlationId).toBe(correlationId);
    expect(log[0]?.requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('mints a correlation id when the caller sends none or an unsafe one', async () => {
    const response = await query(`{ patient(nhsNumber: "9000000033") { nhsNumber } }`, undefined, {
      'x-correlation-id': 'bad id with spaces',
    });
    const minted = response.headers.get('x-correlation-id');
    expect(minted).toMatch(/^[0-9a-f-]{36}$/);
    const { log } = await sandboxRequests(stack.sandboxUrl);
    expect(log[0]?.correlationId).toBe(minted);
  });
});

describe('searchPatients through the gateway', () => {
  it('returns ranked matches with scores', async () => {
    const response = await query<{
      searchPatients: Array<{ score: number; patient: { nhsNumber: string } }>;
    }>(
      `{ searchPatients(criteria: { family: "Smith", gender: FEMALE, birthDate: "2010-10-22" }) { score patient { nhsNumber name { family } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    const matches = response.body.data?.searchPatients ?? [];
    expect(matches.length).toBeGreaterThan(0);
    const scores = matches.map((match) => match.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});

describe('the gateway edge', () => {
  it('answers /health', async () => {
    const response = await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/health'));
    expect(response.status).toBe(200);
  });

  it('serves GraphiQL to a browser in development', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('nhs-graph');
  });

  it('opens GraphiQL with a tab per sandbox identity, each carrying a token that works', async () => {
    const html = await (await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } })).text();
    const rendered = /querySelector\('#root'\),\s*(\{.*\}),\s*\);/.exec(html)?.[1] ?? '{}';
    const tabs =
      (JSON.parse(rendered) as { defaultTabs?: { query: string; headers: string }[] }).defaultTabs ?? [];
    expect(tabs.map((tab) => /^query (\w+)/m.exec(tab.query)?.[1])).toEqual([
      'AsClerk',
      'AsClinician',
      'AsCitizen',
      'AsIgOfficer',
      'AsPartner',
    ]);
    const answers = await Promise.all(
      tabs.map((tab) =>
        postGraphQL(
          stack.gatewayUrl,
          tab.query,
          undefined,
          JSON.parse(tab.headers) as Record<string, string>,
        ),
      ),
    );
    expect(answers.map((answer) => errorCodes(answer))).toEqual([
      [],
      [],
      [],
      [],
      ['PERSISTED_QUERY_NOT_ALLOWED'], // partners send persisted operations by id, as the tab says
    ]);
  });

  it('leaks no stack trace for a malformed query', async () => {
    const response = await query(`{ patient(nhsNumber: `);
    expect(JSON.stringify(response.body)).not.toMatch(/stack|at .*\.ts:\d+/i);
    expect(response.body.errors?.length).toBeGreaterThan(0);
  });
});
