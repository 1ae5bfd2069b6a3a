// The GP Connect stand-in over real HTTP: what it refuses (Ssp-* headers, the audit JWT, the
// Parameters body), what it answers for the published request examples and the scenario numbers,
// and that every record it builds (published examples, derived and synthetic) is one the
// careRecord mapping reads without error.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseStructuredBundle } from '../../subgraphs/careRecord/record/fhir.js';
import { toCareRecord } from '../../subgraphs/careRecord/record/mapping.js';
import { auditClaims } from '../../subgraphs/careRecord/record/mapping-requests.js';
import { unsignedJwt } from '../../subgraphs/careRecord/source.js';
import { clinician } from '../../test/principals.js';
import { startSandbox, type Sandbox } from '../server.js';
import { generatePeople } from '../synthetic.js';
import { jwtProblem } from './checks.js';

const ROOT = '/gpconnect/B82617/STU3/1/gpconnect/structured/fhir';
const REQUESTS = new URL(
  '../fixtures/gpconnect/gpconnect/_includes/accessrecord_structured/',
  import.meta.url,
);
const SEED = 7;
const SYNTHETIC = 200;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox(0, { seed: SEED, syntheticPatients: SYNTHETIC });
});
afterAll(() => sandbox.close());

const now = () => Math.floor(Date.now() / 1000);

/** A token as the GP Connect specification describes it, built here independently of the subgraph. */
function token(
  changes: Record<string, unknown> = {},
  header: Record<string, unknown> = { alg: 'none', typ: 'JWT' },
) {
  const iat = now();
  const claims = {
    iss: 'urn:test',
    sub: 'practitioner-1',
    aud: `https://provider.example${ROOT.replace('/gpconnect', '')}`,
    exp: iat + 300,
    iat,
    reason_for_request: 'directcare',
    requested_scope: 'patient/*.read',
    requesting_device: { resourceType: 'Device', model: 'test' },
    requesting_organization: {
      resourceType: 'Organization',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'X26' }],
      name: 'test',
    },
    requesting_practitioner: { resourceType: 'Practitioner', id: 'practitioner-1' },
    ...changes,
  };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.`;
}

const HEADERS = () => ({
  'Ssp-TraceID': randomUUID(),
  'Ssp-From': '200000000115',
  'Ssp-To': '200000000116',
  'Ssp-InteractionID': 'urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1',
  Authorization: `Bearer ${token()}`,
  'Content-Type': 'application/fhir+json',
});

const parameters = (nhsNumber: string, ...include: Array<Record<string, unknown>>) => ({
  resourceType: 'Parameters',
  parameter: [
    {
      name: 'patientNHSNumber',
      valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber },
    },
    ...include,
  ],
});
const ALLERGIES = (resolved: boolean) => ({
  name: 'includeAllergies',
  part: [{ name: 'includeResolvedAllergies', valueBoolean: resolved }],
});
const MEDICATION = {
  name: 'includeMedication',
  part: [{ name: 'includePrescriptionIssues', valueBoolean: true }],
};

async function structured(body: unknown, headers: Record<string, string> = HEADERS()) {
  const response = await fetch(`${sandbox.url}${ROOT}/Patient/$gpc.getstructuredrecord`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const spineCode = (body: Record<string, unknown>) =>
  (body['issue'] as Array<{ details?: { coding?: Array<{ code?: string }> } }>)[0]?.details?.coding?.[0]
    ?.code;

const listTitles = (body: Record<string, unknown>) =>
  (body['entry'] as Array<{ resource: Record<string, unknown> }>)
    .filter((e) => e.resource['resourceType'] === 'List')
    .map((e) => e.resource['title']);

describe('what the Spine Secure Proxy and the provider refuse', () => {
  it.each(['Ssp-TraceID', 'Ssp-From', 'Ssp-To', 'Ssp-InteractionID', 'Authorization'])(
    'a request without %s: 400 BAD_REQUEST',
    async (header) => {
      const headers: Record<string, string> = HEADERS();
      delete headers[header];
      const { status, body } = await structured(parameters('9000000009', ALLERGIES(false)), headers);
      expect(status).toBe(400);
      expect(spineCode(body)).toBe('BAD_REQUEST');
      expect((body['issue'] as Array<{ diagnostics: string }>)[0]?.diagnostics).toContain(header);
    },
  );

  it('an interaction id that does not match the request: 400', async () => {
    const headers = {
      ...HEADERS(),
      'Ssp-InteractionID': 'urn:nhs:names:services:gpconnect:fhir:rest:search:slot-1',
    };
    expect((await structured(parameters('9000000009', ALLERGIES(false)), headers)).status).toBe(400);
  });

  it.each<[string, string]>([
    ['a signed token', token({}, { alg: 'HS256', typ: 'JWT' })],
    ['exp not iat + 5 minutes', token({ exp: now() + 3600 })],
    ['an expired token', token({ iat: now() - 600, exp: now() - 300 })],
    ['the wrong scope', token({ requested_scope: 'patient/*.write' })],
    ['another reason', token({ reason_for_request: 'secondaryuses' })],
    [
      'an audience that is not this service root',
      token({ aud: 'https://provider.example/B82617/STU3/1/gpconnect/fhir' }),
    ],
    [
      'no requesting organisation ODS code',
      token({ requesting_organization: { resourceType: 'Organization' } }),
    ],
    ['a sub that is not the practitioner', token({ sub: 'someone-else' })],
  ])('an audit JWT with %s: 400 BAD_REQUEST', async (_what, jwt) => {
    const { status, body } = await structured(parameters('9000000009', ALLERGIES(false)), {
      ...HEADERS(),
      Authorization: `Bearer ${jwt}`,
    });
    expect(status).toBe(400);
    expect(spineCode(body)).toBe('BAD_REQUEST');
  });

  it('accepts the token the careRecord subgraph builds', () => {
    const claims = auditClaims({
      principal: clinician(),
      audience: `http://127.0.0.1:4010${ROOT}`,
      requestedScope: 'patient/*.read',
      consumer: { asid: '200000000115', odsCode: 'X26', name: 'nhs-graph' },
      nowSeconds: now(),
    });
    expect(jwtProblem(unsignedJwt(claims), 'structured', ROOT.replace('/gpconnect', ''), now())).toBeNull();
  });
});

describe('the Parameters body', () => {
  // The published examples ask for 9999999999, the provider tests' "patient not in system".
  const published = (file: string) =>
    JSON.parse(
      readFileSync(new URL(file, REQUESTS), 'utf8').replaceAll('9999999999', '9000000009'),
    ) as unknown;

  it.each([
    ['allergies_request1.json', 200, ['Active Allergies', 'Resolved Allergies']],
    ['allergies_request2.json', 200, ['Active Allergies']],
    ['immunizations_request1.json', 200, ['Immunisations']],
    ['immunizations_request2.json', 200, ['Immunisations']],
    ['problems_request1.json', 200, ['Problems']],
    ['consultations_request1.json', 200, []],
  ])('answers the published %s with %i and the lists it asked for', async (file, status, titles) => {
    const response = await structured(published(file));
    expect(response.status).toBe(status);
    expect(listTitles(response.body)).toEqual(titles);
  });

  it('refuses meds_request.json: it omits includePrescriptionIssues, which the error table requires (422)', async () => {
    const { status, body } = await structured(published('meds_request.json'));
    expect([status, spineCode(body)]).toEqual([422, 'INVALID_PARAMETER']);
  });

  it('warns, as published, about parameters it does not support', async () => {
    const { body } = await structured(published('consultations_request1.json'));
    const outcome = (body['entry'] as Array<{ resource: Record<string, unknown> }>).find(
      (e) => e.resource['resourceType'] === 'OperationOutcome',
    );
    expect(JSON.stringify(outcome)).toContain('includeConsultations is an unrecognised parameter');
  });

  it.each<[string, unknown, number, string]>([
    [
      'no patientNHSNumber',
      { resourceType: 'Parameters', parameter: [ALLERGIES(false)] },
      422,
      'INVALID_PARAMETER',
    ],
    ['a number failing Modulus 11', parameters('9000000015', ALLERGIES(false)), 400, 'INVALID_NHS_NUMBER'],
    [
      'includeAllergies without its part',
      parameters('9000000009', { name: 'includeAllergies' }),
      422,
      'INVALID_PARAMETER',
    ],
    ['not a Parameters resource', { resourceType: 'Bundle' }, 422, 'INVALID_RESOURCE'],
  ])('refuses %s', async (_what, body, status, code) => {
    const response = await structured(body);
    expect([response.status, spineCode(response.body)]).toEqual([status, code]);
  });
});

describe('scenario numbers', () => {
  it.each([
    ['9999999999', 404, 'PATIENT_NOT_FOUND'],
    ['9658220169', 403, 'NO_PATIENT_CONSENT'],
    ['9658220142', 404, 'PATIENT_NOT_FOUND'],
    ['9000000025', 404, 'PATIENT_NOT_FOUND'],
    ['5900056597', 403, 'NO_PATIENT_CONSENT'],
    ['5900046192', 403, 'NO_RELATIONSHIP'],
    ['9111231130', 404, 'PATIENT_NOT_FOUND'],
  ])('%s: %i %s', async (nhsNumber, status, code) => {
    const response = await structured(parameters(nhsNumber, ALLERGIES(false)));
    expect([response.status, spineCode(response.body)]).toEqual([status, code]);
  });

  it('answers with the patient’s NHS number and only the sections asked', async () => {
    const { status, body } = await structured(parameters('9000000009', MEDICATION));
    expect(status).toBe(200);
    expect(listTitles(body)).toEqual(['Medication List']);
    expect(JSON.stringify(body)).not.toContain('9999999999');
    expect(JSON.stringify(body)).toContain('"value":"9000000009"');
  });
});

describe('every record the stand-in holds is one the careRecord mapping reads', () => {
  const fixtureNumbers = ['9000000009', '9000000017', '9000000033', '9658218865', '9658218989', '9733162043'];
  const numbers = [...fixtureNumbers, ...generatePeople(SEED, SYNTHETIC).map((p) => p.nhsNumber)];
  const everything = [
    ALLERGIES(true),
    MEDICATION,
    { name: 'includeProblems' },
    { name: 'includeImmunisations' },
  ];

  it('maps every section of every record without error, and the same record twice alike', async () => {
    let served = 0;
    for (const nhsNumber of numbers) {
      const { status, body } = await structured(parameters(nhsNumber, ...everything));
      if (status === 404) continue; // deceased or restricted synthetic people
      expect(status).toBe(200);
      served += 1;
      const bundle = parseStructuredBundle(body);
      if (!bundle.success) throw new Error(`${nhsNumber}: ${bundle.issues.join('; ')}`);
      const record = toCareRecord(
        bundle.data,
        [
          { section: 'allergies', includeEnded: true },
          { section: 'medications', includeIssues: true },
          { section: 'problems' },
          { section: 'immunisations' },
        ],
        { retrievedAt: new Date().toISOString() },
      );
      for (const [section, value] of Object.entries(record)) {
        if (value instanceof Error) throw new Error(`${nhsNumber} ${section}: ${value.message}`);
        expect(JSON.stringify(value)).not.toContain('NOT_PROVIDED');
      }
    }
    expect(served).toBeGreaterThan(SYNTHETIC * 0.8);
    const again = await structured(parameters('9733162043', ...everything));
    const first = await structured(parameters('9733162043', ...everything));
    expect(again.body).toEqual(first.body);
  });
});
