// End to end over real HTTP: sandbox ODS and PDS <- organisations and demographics subgraphs <-
// Hive Gateway, each its own process on free ports, exactly as `npm start` runs them. Patient
// .registeredGp is owned by demographics as a reference; the gateway joins it to the organisations
// subgraph through `_entities`.
import { generatePeople } from '../sandbox/synthetic.js';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { resetSandbox, sandboxRequests, upstreamCalls } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const SEED = 42;
const SYNTHETIC_PATIENTS = 1000;

const stack = useTestStack({
  SANDBOX_SEED: String(SEED),
  SANDBOX_SYNTHETIC_PATIENTS: String(SYNTHETIC_PATIENTS),
  // One query for 50 patients needs 50 aliases; the edge's defaults are tighter on purpose.
  MAX_QUERY_ALIASES: '60',
  MAX_QUERY_COST: '100000',
  MAX_QUERY_TOKENS: '10000',
  // With REDIS_URL set (CI) the cache is the shared Redis: a prefix of this run's own keeps it
  // cold at the start, and a short TTL keeps what the run leaves behind short-lived.
  CACHE_TTL_DIRECTORY_SECONDS: '300',
});
let asClerk: Record<string, string>;

beforeAll(async () => {
  asClerk = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
}, 60_000);

/** A clerk: staff with a demographics activity, so registered GPs are visible. */
const query = <TData = Record<string, unknown>>(document: string, variables?: Record<string, unknown>) =>
  postGraphQL<TData>(stack.gatewayUrl, document, variables, asClerk);

const odsCalls = async () =>
  (await sandboxRequests(stack.sandboxUrl)).log.filter((e) => e.upstream === 'ods');

// First, while the organisations subgraph's cache is cold (it starts empty with the stack).
describe('the registered GPs of 50 patients in one query', () => {
  it('cost one ODS read per distinct practice', async () => {
    const patients = generatePeople(SEED, SYNTHETIC_PATIENTS)
      .filter((person) => !person.restricted)
      .slice(0, 50);
    const practices = new Set(patients.map((person) => person.gp.odsCode));
    expect(practices.size).toBe(3);
    const fields = patients
      .map(
        (person, i) =>
          `p${i}: patient(nhsNumber: "${person.nhsNumber}") { nhsNumber registeredGp { odsCode name } }`,
      )
      .join('\n');
    const response = await query<
      Record<string, { nhsNumber: string; registeredGp: { odsCode: string; name: string } }>
    >(`{ ${fields} }`);
    expect(response.body.errors).toBeUndefined();
    const answered = Object.values(response.body.data ?? {});
    expect(answered).toHaveLength(50);
    expect(answered.map((patient) => patient.registeredGp.odsCode)).toEqual(
      patients.map((p) => p.gp.odsCode),
    );
    expect(answered.every((patient) => patient.registeredGp.name.length > 0)).toBe(true);

    const calls = await odsCalls();
    expect(calls.map((call) => call.path).sort()).toEqual(
      [...practices].map((code) => `/organisation-data-terminology-api/fhir/Organization/${code}`).sort(),
    );
    expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(50);
  });
});

describe('Patient.registeredGp through the gateway', () => {
  it('resolves to the full organisation from ODS', async () => {
    const response = await query(
      `{ patient(nhsNumber: "9000000009") { nhsNumber registeredGp { odsCode name roles { code display primary } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['patient']).toEqual({
      nhsNumber: '9000000009',
      registeredGp: {
        odsCode: 'Y12345',
        name: 'SANDBOX MEDICAL PRACTICE (DERIVED)',
        roles: [
          { code: 'RO177', display: 'PRESCRIBING COST CENTRE', primary: true },
          { code: 'RO76', display: 'GP PRACTICE', primary: false },
        ],
      },
    });
  });

  it('never reaches ODS for a restricted patient, whose GP is withheld', async () => {
    const response = await query(`{ patient(nhsNumber: "9000000025") { registeredGp { odsCode name } } }`);
    expect(response.body.data?.['patient']).toEqual({ registeredGp: null });
    expect(await odsCalls()).toEqual([]);
  });
});

describe('organisation(odsCode) through the gateway', () => {
  it('answers an organisation with its relationships and their targets', async () => {
    const response = await query(`{
      organisation(odsCode: "G81086") {
        odsCode name active address { postcode } contact { system value }
        relationships { code display active target { odsCode name } }
        provenance { source stale }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['organisation']).toEqual({
      odsCode: 'G81086',
      name: 'BIRD-IN-EYE SURGERY',
      active: true,
      address: { postcode: 'TN22 5AW' },
      contact: [{ system: 'PHONE', value: '01825 763196' }],
      relationships: [
        {
          code: 'RE4',
          display: 'IS COMMISSIONED BY',
          active: false,
          target: { odsCode: '4VE03', name: 'HIGH WEALD PCG' },
        },
      ],
      provenance: { source: 'ODS', stale: false },
    });
  });

  it('reads ODS once: a second request for the same organisation is served from the directory tier', async () => {
    const first = await query(`{ organisation(odsCode: "Q72") { name } }`);
    expect(first.body.errors).toBeUndefined();
    expect(await odsCalls()).toHaveLength(1);
    await resetSandbox(stack.sandboxUrl);
    const second = await query(`{ organisation(odsCode: "Q72") { name } }`);
    expect(second.body.data).toEqual(first.body.data);
    expect(await odsCalls()).toHaveLength(0);
  });

  it.each(['g81086', 'G8', '83632648493'])(
    'refuses %j with BAD_USER_INPUT naming odsCode',
    async (odsCode) => {
      const response = await query(`query($c: String!) { organisation(odsCode: $c) { name } }`, {
        c: odsCode,
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.['argument']).toBe('odsCode');
      expect(await odsCalls()).toEqual([]);
    },
  );

  it('answers null with NOT_FOUND for a code ODS does not hold', async () => {
    const response = await query(`{ organisation(odsCode: "X99999") { name } }`);
    expect(response.body.data?.['organisation']).toBeNull();
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  });

  it('searches ODS', async () => {
    const response = await query(`{ searchOrganisations(postcode: "LS1", role: "RO76") { odsCode } }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['searchOrganisations']).toEqual([
      { odsCode: 'A20047' },
      { odsCode: 'H81109' },
      { odsCode: 'Y12345' },
    ]);
  });
});
