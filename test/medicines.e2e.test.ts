// End to end over real HTTP: sandbox dm+d terminology server <- medicines subgraph <- Hive Gateway
// (and the care record's medications joined to it), each its own process on free ports, exactly
// as `npm start` runs them. With REDIS_URL set (CI) the
// `reference` cache tier is the shared Redis; without it, the subgraph's memory.
import { errorCodes, postGraphQL } from './graphql-client.js';
import { resetSandbox, sandboxRequests } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({
  // A short TTL keeps what the run leaves behind short-lived.
  CACHE_TTL_REFERENCE_SECONDS: '300',
});
let asClerk: Record<string, string>;

beforeAll(async () => {
  asClerk = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
}, 60_000);

const query = <TData = Record<string, unknown>>(document: string, variables?: Record<string, unknown>) =>
  postGraphQL<TData>(stack.gatewayUrl, document, variables, asClerk);

const dmdCalls = async () =>
  (await sandboxRequests(stack.sandboxUrl)).log.filter((entry) => entry.upstream === 'dmd');

// First, while the medicines subgraph's cache is cold (it starts empty with the stack).
describe('Medication.medicine: the care record joined to dm+d through the gateway', () => {
  it("resolves every medication of a patient's GP record to its dm+d medicine, in one dm+d call", async () => {
    const clinician = bearer(await mintToken(stack.sandboxUrl, 'clinician'));
    const response = await postGraphQL<{
      patient: { medications: { items: Array<{ code: { code: string | null }; medicine: unknown }> } };
    }>(
      stack.gatewayUrl,
      `{ patient(nhsNumber: "9000000009") { medications { items { code { code } medicine { code kind name } } } } }`,
      undefined,
      clinician,
    );
    expect(response.body.errors).toBeUndefined();
    const items = response.body.data?.patient.medications.items ?? [];
    // GP Connect codes dm+d under the SNOMED CT system (meds_response.json); dm+d answers the same ids.
    const names: Record<string, string> = {
      '323509004': 'Amoxicillin 250mg capsules',
      '319773006': 'Aspirin 75mg dispersible tablets',
    };
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) {
      const code = item.code.code ?? '';
      expect(item.medicine).toEqual({ code, kind: 'VMP', name: names[code] });
    }
    expect((await sandboxRequests(stack.sandboxUrl)).counts['dmd POST /']).toBe(1);
  });
});

describe('three medicines in one query', () => {
  const THREE = `{
    a: medicine(code: "318135008") { code name }
    b: medicine(code: "37706811000001108") { code name supplier { display } }
    c: medicineByCoding(system: "http://snomed.info/sct", code: "317971007") { code name }
  }`;

  it('cost one dm+d call cold, and none the second time (reference cache tier)', async () => {
    const first = await query(THREE);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toEqual({
      a: { code: '318135008', name: 'Co-amilofruse 2.5mg/20mg tablets' },
      // supplier is the AMP's own, so no further read
      b: {
        code: '37706811000001108',
        name: 'Co-amilofruse 5mg/40mg tablets',
        supplier: { display: 'CST Pharma Ltd' },
      },
      c: { code: '317971007', name: 'Furosemide 20mg tablets' },
    });
    const calls = await dmdCalls();
    expect(calls.map((call) => `${call.method} ${call.route}`)).toEqual(['POST /']);

    await resetSandbox(stack.sandboxUrl);
    const second = await query(THREE);
    expect(second.body).toEqual(first.body);
    expect(await dmdCalls()).toEqual([]);
  });
});

describe('medicine(code) through the gateway', () => {
  it('answers a VMP with its ingredients, form, route and controlled drug status', async () => {
    const response = await query(`{
      medicine(code: "318136009") {
        code kind name invalid release
        concept { code mapped codings { system code } }
        ingredients { substance { code display } strength { text } }
        form { code display } routes { code display } controlledDrug { display mapped }
        provenance { source stale }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['medicine']).toEqual({
      code: '318136009',
      kind: 'VMP',
      name: 'Co-amilofruse 5mg/40mg tablets',
      invalid: false,
      release: '2021-08-26',
      concept: {
        code: '318136009',
        mapped: true,
        codings: [
          { system: 'https://dmd.nhs.uk', code: '318136009' },
          { system: 'http://snomed.info/sct', code: '318136009' },
        ],
      },
      ingredients: [
        { substance: { code: '387516008', display: 'Amiloride hydrochloride' }, strength: { text: '5 mg' } },
        { substance: { code: '387475002', display: 'Furosemide' }, strength: { text: '40 mg' } },
      ],
      form: { code: '385055001', display: 'Tablet' },
      routes: [{ code: '26643006', display: 'Oral' }],
      controlledDrug: { display: 'No Controlled Drug Status', mapped: false },
      provenance: { source: 'dm+d', stale: false },
    });
  });

  it('links an AMP to its VMP and VTM, and lists the VTM products', async () => {
    const response = await query(`{
      medicine(code: "37365811000001102") {
        kind description availability { display }
        vmp { code kind }
        vtm { code kind name products { code } }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['medicine']).toEqual({
      kind: 'AMP',
      description: 'Co-amilofruse 5mg/40mg tablets (Mawdsley-Brooks & Company Ltd)',
      availability: { display: 'Not available' },
      vmp: { code: '318136009', kind: 'VMP' },
      vtm: {
        code: '34186711000001102',
        kind: 'VTM',
        name: 'Co-amilofruse',
        products: [{ code: '318135008' }, { code: '318136009' }],
      },
    });
  });

  it('answers the same medicine for a dm+d coding (UK Core) and a SNOMED CT coding (GP Connect)', async () => {
    const response = await query(`{
      dmd: medicineByCoding(system: "https://dmd.nhs.uk", code: "323509004") { code kind name }
      snomed: medicineByCoding(system: "http://snomed.info/sct", code: "323509004") { code kind name }
      plain: medicine(code: "323509004") { code kind name }
    }`);
    expect(response.body.errors).toBeUndefined();
    const medicine = { code: '323509004', kind: 'VMP', name: 'Amoxicillin 250mg capsules' };
    expect(response.body.data).toEqual({ dmd: medicine, snomed: medicine, plain: medicine });
  });

  it.each([
    ['letters', '31813600X', 'code'],
    ['a SNOMED CT description id', '56966201000001112', 'code'],
  ])(
    'refuses %s with BAD_USER_INPUT naming the argument, before calling dm+d',
    async (_case, code, argument) => {
      const response = await query(`query($c: ID!) { medicine(code: $c) { name } }`, { c: code });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.['argument']).toBe(argument);
      expect(await dmdCalls()).toEqual([]);
    },
  );

  it('refuses a coding system that is not dm+d or SNOMED CT', async () => {
    const response = await query(
      `{ medicineByCoding(system: "https://fhir.hl7.org.uk/Id/emis-drug-codes", code: "123456") { name } }`,
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.body.errors?.[0]?.extensions?.['argument']).toBe('system');
  });

  it('answers null with NOT_FOUND for a code dm+d does not hold', async () => {
    const response = await query(`{ medicine(code: "999999001") { name } }`);
    expect(response.body.data?.['medicine']).toBeNull();
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  });
});

describe('searchMedicines through the gateway', () => {
  it('finds medicines by name, of one kind, with one search (the VMPs were read, so cached, above)', async () => {
    const response = await query(`{ searchMedicines(name: "co-amilofruse", kind: VMP) { code name } }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['searchMedicines']).toEqual([
      { code: '318136009', name: 'Co-amilofruse 5mg/40mg tablets' },
      { code: '318135008', name: 'Co-amilofruse 2.5mg/20mg tablets' },
    ]);
    expect((await dmdCalls()).map((call) => call.route)).toEqual(['/ValueSet/$expand']);
  });

  it('refuses a name too short to search with BAD_USER_INPUT', async () => {
    const response = await query(`{ searchMedicines(name: "a") { code } }`);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.body.errors?.[0]?.extensions?.['argument']).toBe('name');
  });
});

describe('who may read medicines', () => {
  it('lets a citizen read them (reference data, not personal data)', async () => {
    const citizen = bearer(
      await mintToken(stack.sandboxUrl, 'citizen', { nhsNumber: '9000000009', level: 'P5' }),
    );
    const response = await postGraphQL(
      stack.gatewayUrl,
      `{ medicine(code: "318136009") { name } }`,
      undefined,
      citizen,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ medicine: { name: 'Co-amilofruse 5mg/40mg tablets' } });
  });

  it('refuses a partner a free-form medicines query at the edge: partners run persisted operations only', async () => {
    const partner = bearer(await mintToken(stack.sandboxUrl, 'partner', { clientId: 'acme' }));
    const response = await postGraphQL(
      stack.gatewayUrl,
      `{ medicine(code: "318136009") { name } }`,
      undefined,
      partner,
    );
    expect(errorCodes(response)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
    expect(await dmdCalls()).toEqual([]);
  });
});
