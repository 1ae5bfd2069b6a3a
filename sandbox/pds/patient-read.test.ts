import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { isValidNhsNumber, nhsNumberCheckDigit } from '../../platform/nhs-number.js';
import { startSandbox, type Sandbox } from '../server.js';
import { generatePeople } from '../synthetic.js';

const PDS = '/personal-demographics/FHIR/R4';
const FIXTURES = new URL('../fixtures/pds/', import.meta.url);
const KARATE = 'karate-tests/src/test/java/mocks/stubs/';
const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8'));

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

describe('PDS GET /Patient/{id}', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(0);
  });
  afterAll(() => sandbox.close());

  async function get(
    id: string,
    headers: Record<string, string> = { 'X-Request-ID': randomUUID() },
  ): Promise<Answer> {
    const res = await fetch(`${sandbox.url}${PDS}/Patient/${id}`, { headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }
  const errorCode = (body: Record<string, unknown>): unknown =>
    (body as { issue?: { details?: { coding?: { code?: string }[] } }[] }).issue?.[0]?.details?.coding?.[0]
      ?.code;

  it.each([
    ['9000000009', 'sandbox/mocks/Patient.json'],
    ['9000000017', 'sandbox/mocks/Patient-Jayne-Smyth.json'],
    ['9000000025', 'sandbox/mocks/Sensitive_Patient.json'],
    ['9000000033', 'sandbox/mocks/Minimal_Patient.json'],
  ])('serves %s as the published %s, with ETag and mirrored ids', async (id, file) => {
    const requestId = randomUUID();
    const answer = await get(id, { 'X-Request-ID': requestId, 'X-Correlation-ID': 'corr-123' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(fixture(file));
    expect(answer.headers.get('etag')).toBe('W/"2"');
    expect(answer.headers.get('content-type')).toBe('application/fhir+json');
    expect(answer.headers.get('x-request-id')).toBe(requestId);
    expect(answer.headers.get('x-correlation-id')).toBe('corr-123');
  });

  it('serves the restricted patient without address, telecom or GP', async () => {
    const { body } = await get('9000000025');
    expect(body['meta']).toMatchObject({ security: [{ code: 'R' }] });
    for (const field of ['address', 'telecom', 'generalPractitioner']) expect(body).not.toHaveProperty(field);
  });

  it('serves 9000000015 (compound name) although it fails Modulus 11', async () => {
    expect(isValidNhsNumber('9000000015')).toBe(false);
    const { status, body } = await get('9000000015');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: '9000000015', name: [{ given: ['John Paul'], family: 'Smith' }] });
  });

  it('serves every karate patient stub by its number', async () => {
    const files = readdirSync(new URL(`${KARATE}patientResponses/`, FIXTURES)).filter((f) =>
      /^patient_\d{10}/.test(f),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const id = file.slice('patient_'.length, 'patient_'.length + 10);
      const { status, body, headers } = await get(id);
      expect(status).toBe(200);
      expect(body['id']).toBe(id);
      expect(headers.get('etag')).toBe(`W/"${(body['meta'] as { versionId: string }).versionId}"`);
    }
  });

  it('answers a superseded number with the current record, whose id differs', async () => {
    const { status, body } = await get('5900053636');
    expect(status).toBe(200);
    expect(body['id']).toBe('9000000009');
    expect(body).toEqual(fixture('sandbox/mocks/Patient.json'));
  });

  it('answers an invalidated record with 404 INVALIDATED_RESOURCE (the real payload)', async () => {
    const { status, body } = await get('9000000041');
    expect(status).toBe(404);
    expect(body).toEqual(fixture(`${KARATE}errorResponses/INVALIDATED_RESOURCE.json`));
  });

  it('answers 9111231130 with 404 RESOURCE_NOT_FOUND (the real payload)', async () => {
    const { status, body } = await get('9111231130');
    expect(status).toBe(404);
    expect(body).toEqual(fixture(`${KARATE}errorResponses/RESOURCE_NOT_FOUND.json`));
  });

  it.each(['9000000000', '123', 'abcdefghij', '90000000091', '9000000009%20'])(
    'answers %s with 400 INVALID_RESOURCE_ID',
    async (id) => {
      const { status, body } = await get(id);
      expect(status).toBe(400);
      expect(body).toEqual(fixture(`${KARATE}errorResponses/INVALID_RESOURCE_ID.json`));
    },
  );

  it('serves synthetic patients and 404s valid numbers nobody holds', async () => {
    const [person] = generatePeople(42, 1);
    if (person === undefined) throw new Error('no synthetic person');
    const found = await get(person.nhsNumber);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: person.nhsNumber, birthDate: person.birthDate });

    const held = new Set(generatePeople().map((p) => p.nhsNumber));
    let unheld = '';
    for (let n = 999_000_000; unheld === ''; n += 1) {
      const check = nhsNumberCheckDigit(String(n));
      if (check !== null && !held.has(`${n}${check}`)) unheld = `${n}${check}`;
    }
    const missing = await get(unheld);
    expect(missing.status).toBe(404);
    expect(errorCode(missing.body)).toBe('RESOURCE_NOT_FOUND');
  });

  describe('X-Request-ID', () => {
    const responses = 'tests/functional/data/responses/';

    it('is required: missing -> 400 MISSING_VALUE (published payload)', async () => {
      const { status, body } = await get('9000000009', {});
      expect(status).toBe(400);
      expect(body).toEqual(fixture(`${responses}missing_x-request_id.json`));
    });

    it('must not be empty -> 400 INVALID_VALUE (published payload)', async () => {
      const { status, body } = await get('9000000009', { 'X-Request-ID': '' });
      expect(status).toBe(400);
      expect(body).toEqual(fixture(`${responses}empty_x-request_id.json`));
    });

    it('must be a UUID -> 400 INVALID_VALUE quoting the value (published payload for 1234)', async () => {
      const published = await get('9000000009', { 'X-Request-ID': '1234' });
      expect(published.status).toBe(400);
      expect(published.body).toEqual(fixture(`${responses}invalid_x-request_id.json`));
      const other = await get('9000000009', { 'X-Request-ID': 'not-a-uuid' });
      expect(other.body).toMatchObject({
        issue: [{ diagnostics: "Invalid value - 'not-a-uuid' in header 'X-Request-ID'" }],
      });
      expect(other.headers.get('x-request-id')).toBe('not-a-uuid');
    });

    it('is checked on search too', async () => {
      const res = await fetch(`${sandbox.url}${PDS}/Patient?family=Smith&birthdate=eq2010-10-22`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(fixture(`${responses}missing_x-request_id.json`));
    });
  });

  it('refuses methods it does not simulate with 405, naming those it does', async () => {
    const res = await fetch(`${sandbox.url}${PDS}/Patient/9000000009`, {
      method: 'DELETE',
      headers: { 'X-Request-ID': randomUUID() },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PATCH');
    expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const create = await fetch(`${sandbox.url}${PDS}/Patient`, {
      method: 'POST',
      headers: { 'X-Request-ID': randomUUID() },
      body: '{}',
    });
    expect([create.status, create.headers.get('allow')]).toEqual([405, 'GET']);
  });

  it('answers PATCH over HTTP: a missing If-Match is 412 PRECONDITION_FAILED (patch.test.ts has the rest)', async () => {
    const res = await fetch(`${sandbox.url}${PDS}/Patient/9000000009`, {
      method: 'PATCH',
      headers: { 'X-Request-ID': randomUUID(), 'Content-Type': 'application/json-patch+json' },
      body: '{"patches":[]}',
    });
    expect(res.status).toBe(412);
    expect(JSON.stringify(await res.json())).toContain('PRECONDITION_FAILED');
  });
});
