// End to end over real HTTP: sandbox e-RS, PDS and ODS <- referrals, demographics and organisations
// subgraphs <- Hive Gateway, each its own process on free ports, as `npm start` runs them.
// Patient.referrals is added to demographics' Patient by the referrals subgraph; the gateway joins
// them through `_entities`. Sandbox patient 9000000009 holds UBRNs 000000070001 and 000000070000
// (sandbox/fixtures/derived/ers-links.json).
import { errorCodes, postGraphQL } from './graphql-client.js';
import { sandboxRequests } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({
  SANDBOX_SYNTHETIC_PATIENTS: '0',
});
let asClinician: Record<string, string>;
let asClerk: Record<string, string>;

beforeAll(async () => {
  asClinician = bearer(await mintToken(stack.sandboxUrl, 'clinician'));
  asClerk = bearer(await mintToken(stack.sandboxUrl, 'clerk'));
}, 60_000);

const as = (headers: Record<string, string>) => (document: string, variables?: Record<string, unknown>) =>
  postGraphQL(stack.gatewayUrl, document, variables, headers);

const PATIENT_REFERRALS = `{
  patient(nhsNumber: "9000000009") {
    nhsNumber
    name { text }
    referrals { ubrn status { display } service { organisation { odsCode } } }
  }
}`;

describe('patient.referrals through the gateway', () => {
  it('answers a clinician with the patient’s e-RS referrals, joined to where their service is based', async () => {
    const response = await as(asClinician)(PATIENT_REFERRALS);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      patient: {
        nhsNumber: '9000000009',
        name: { text: expect.any(String) },
        referrals: [
          {
            ubrn: '000000070001',
            status: { display: 'Booked' },
            service: { organisation: { odsCode: 'R6901' } },
          },
          // Not booked yet: no service.
          { ubrn: '000000070000', status: { display: 'Not Booked' }, service: null },
        ],
      },
    });
    const { counts, log } = await sandboxRequests(stack.sandboxUrl);
    expect(counts).toMatchObject({
      'ers POST /STU3/ReferralRequest/$ers.fetchworklist': 4,
      'ers GET /STU3/ReferralRequest/{ubrn}': 2,
      'ers GET /R4/HealthcareService/{id}': 1,
    });
    // Every e-RS call carries the request's correlation id.
    const ers = log.filter((entry) => entry.upstream === 'ers');
    expect(new Set(ers.map((entry) => entry.correlationId)).size).toBe(1);
  });

  it('refuses a clerk (no clinical activity) the referrals with FORBIDDEN, and answers the rest', async () => {
    const response = await as(asClerk)(PATIENT_REFERRALS);
    expect(response.body.data).toEqual({
      patient: { nhsNumber: '9000000009', name: { text: expect.any(String) }, referrals: null },
    });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.body.errors?.[0]?.path).toEqual(['patient', 'referrals']);
    const { log } = await sandboxRequests(stack.sandboxUrl);
    expect(log.filter((entry) => entry.upstream === 'ers')).toEqual([]);
  });
});

describe('referral(ubrn) through the gateway', () => {
  it('answers a referral by its UBRN', async () => {
    const response = await as(asClinician)(
      `{ referral(ubrn: "000000070003") { ubrn nhsNumber status { display } priority { display } provenance { source } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      referral: {
        ubrn: '000000070003',
        nhsNumber: '9912003888',
        status: { display: 'Deferred To Provider' },
        priority: { display: 'Urgent' },
        provenance: { source: 'e-RS' },
      },
    });
  });

  it('refuses a UBRN that is not 12 digits with BAD_USER_INPUT, before e-RS is called', async () => {
    const response = await as(asClinician)(`{ referral(ubrn: "70003") { ubrn } }`);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.body.errors?.[0]?.extensions?.['argument']).toBe('ubrn');
    const { log } = await sandboxRequests(stack.sandboxUrl);
    expect(log.filter((entry) => entry.upstream === 'ers')).toEqual([]);
  });
});
