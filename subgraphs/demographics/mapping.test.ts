// PDS payloads -> canonical demographics, over the real payloads PDS publishes (copied byte for byte
// in sandbox/fixtures/pds/, provenance in sandbox/fixtures/PROVENANCE.md). Tables are driven by the
// directory listing, so a fixture added there is covered without touching this file.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../platform/errors.js';
import { isValidNhsNumber } from '../../platform/nhs-number.js';
import {
  parsePdsOperationOutcome,
  parsePdsPatient,
  parsePdsSearchBundle,
  SPINE_ERROR_OR_WARNING_CODE_SYSTEM,
  type PdsOperationOutcome,
  type PdsPatient,
} from './fhir.js';
import {
  toAddressChange,
  toAddressPatch,
  toPatientMatches,
  toPatientRecord,
  toPdsSearchParams,
  toUpstreamError,
} from './mapping.js';
import type { PatientRecord } from './model.js';

const PDS_FIXTURES = fileURLToPath(new URL('../../sandbox/fixtures/pds/', import.meta.url));
const RETRIEVED_AT = '2026-01-15T09:30:00.000Z';

// ---------------------------------------------------------------------------------------------
// Fixture loading

interface Fixture {
  /** Path below sandbox/fixtures/pds/. */
  name: string;
  json: unknown;
  /** Karate stubs hold `#(...)` / `#name` placeholders that karate fills in at run time. */
  template: boolean;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

// specification/components/examples/*.json are git symlinks upstream; the copy holds each link's
// target path as text (e.g. `../../../sandbox/mocks/Patient.json`), so follow it as git would.
function readFollowingLinks(file: string): string {
  const text = readFileSync(file, 'utf8');
  const target = text.trim();
  return /^\.{1,2}\/[^\s]+\.json$/.test(target) ? readFollowingLinks(resolve(dirname(file), target)) : text;
}

const fixtures: Fixture[] = listFiles(PDS_FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const text = readFollowingLinks(file);
    return {
      name: relative(PDS_FIXTURES, file),
      json: JSON.parse(text) as unknown,
      template: /"#\(?[A-Za-z]/.test(text),
    };
  });

const field = (json: unknown, key: string): unknown =>
  typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[key] : undefined;
const entriesOf = (json: unknown): unknown[] => {
  const entry = field(json, 'entry');
  return Array.isArray(entry) ? entry : [];
};
const isPatientSearchset = (json: unknown) =>
  field(json, 'resourceType') === 'Bundle' &&
  field(json, 'type') === 'searchset' &&
  entriesOf(json).every((e) => field(field(e, 'resource'), 'resourceType') === 'Patient');

const patients = fixtures.filter((f) => field(f.json, 'resourceType') === 'Patient' && !f.template);
const templatePatients = fixtures.filter((f) => field(f.json, 'resourceType') === 'Patient' && f.template);
const searchsets = fixtures.filter((f) => isPatientSearchset(f.json));
const otherBundles = fixtures.filter(
  (f) => field(f.json, 'resourceType') === 'Bundle' && !isPatientSearchset(f.json),
);
const outcomes = fixtures.filter((f) => field(f.json, 'resourceType') === 'OperationOutcome');

const row = (f: Fixture): [string, Fixture] => [f.name, f];

function fixture(name: string): unknown {
  const found = fixtures.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no fixture ${name}`);
  // A fresh copy, so a test that derives a payload cannot change another test's input.
  return structuredClone(found.json);
}

function patient(json: unknown): PdsPatient {
  const parsed = parsePdsPatient(json);
  if (!parsed.success) throw new Error(`not a PDS Patient: ${parsed.issues.join(', ')}`);
  return parsed.data;
}

function record(json: unknown, requestedNhsNumber?: string): PatientRecord {
  const p = patient(json);
  return toPatientRecord(p, { requestedNhsNumber: requestedNhsNumber ?? p.id, retrievedAt: RETRIEVED_AT });
}

const FULL = 'sandbox/mocks/Patient.json';
const RESTRICTED = 'sandbox/mocks/Sensitive_Patient.json';
const MINIMAL = 'sandbox/mocks/Minimal_Patient.json';
const COMPOUND_NAME = 'sandbox/mocks/PatientCompoundName.json';

describe('the PDS fixtures', () => {
  it('are found in every kind the tests rely on, so no table below passes vacuously', () => {
    expect(patients.length).toBeGreaterThan(10);
    expect(searchsets.length).toBeGreaterThan(10);
    expect(outcomes.length).toBeGreaterThan(10);
    expect(templatePatients.length).toBeGreaterThan(0);
    // The spec examples are links to the sandbox mocks and must resolve to the same payloads.
    expect(fixture('specification/components/examples/Patient.json')).toEqual(fixture(FULL));
  });
});

// ---------------------------------------------------------------------------------------------
// Every payload

describe('every PDS Patient payload', () => {
  it.each(patients.map(row))('%s parses and maps', (_name, f) => {
    const parsed = parsePdsPatient(f.json);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    const mapped = toPatientRecord(parsed.data, {
      requestedNhsNumber: parsed.data.id,
      retrievedAt: RETRIEVED_AT,
    });
    expectInvariants(mapped, parsed.data);
  });

  it.each(templatePatients.map(row))('%s (a karate template) is refused without throwing', (_name, f) => {
    expect(() => parsePdsPatient(f.json)).not.toThrow();
    expect(parsePdsPatient(f.json).success).toBe(false);
  });
});

describe('every PDS searchset Bundle', () => {
  it.each(searchsets.map(row))('%s parses and maps, best match first', (_name, f) => {
    const parsed = parsePdsSearchBundle(f.json);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    const matches = toPatientMatches(parsed.data, { retrievedAt: RETRIEVED_AT });
    expect(matches).toHaveLength(entriesOf(f.json).length);
    const scores = matches.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const m of matches) {
      expect(m.patient.supersededNhsNumbers).toEqual([]);
      const source = parsed.data.entry?.find((e) => e.resource.id === m.patient.nhsNumber)?.resource;
      if (source === undefined) throw new Error('match without its entry');
      expectInvariants(m.patient, source);
    }
  });

  it.each(otherBundles.map(row))('%s (not Patients) is not accepted as a patient search', (_name, f) => {
    expect(parsePdsSearchBundle(f.json).success).toBe(false);
  });
});

function expectInvariants(mapped: PatientRecord, source: PdsPatient): void {
  expect(mapped.nhsNumber).toBe(source.id);
  expect(mapped.names).toHaveLength(source.name?.length ?? 0);
  expect(mapped.provenance).toEqual({ source: 'PDS', retrievedAt: RETRIEVED_AT, stale: false });
  for (const name of mapped.names) {
    if (name.prefix.length + name.given.length + name.suffix.length > 0 || name.family !== null) {
      expect(name.text).not.toBe('');
    }
  }
  if (mapped.restricted) {
    expect(mapped.address).toBeNull();
    expect(mapped.telecom).toEqual([]);
    expect(mapped.registeredGpOdsCode).toBeNull();
  }
}

// ---------------------------------------------------------------------------------------------
// Sandbox scenarios (APIS.md section 1)

describe('toPatientRecord', () => {
  it('maps the full record, 9000000009', () => {
    const mapped = record(fixture(FULL));
    expect(mapped).toMatchObject({
      nhsNumber: '9000000009',
      supersededNhsNumbers: [],
      birthDate: '2010-10-22',
      gender: 'FEMALE',
      restricted: false,
      registeredGpOdsCode: 'Y12345',
      versionId: '2',
      deceased: { dateTime: '2010-10-22T00:00:00+00:00', notificationStatus: 'FORMAL' },
    });
    expect(mapped.usualName).toEqual({
      use: 'USUAL',
      prefix: ['Mrs'],
      given: ['Jane'],
      family: 'Smith',
      suffix: ['MBE'],
      text: 'Mrs Jane Smith MBE',
      period: { start: '2024-01-01', end: '2025-12-31' },
    });
    expect(mapped.address).toEqual({
      id: '456',
      use: 'HOME',
      lines: ['1 Trevelyan Square', 'Boar Lane', 'City Centre', 'Leeds', 'West Yorkshire'],
      postcode: 'LS1 6AE',
      period: { start: '2024-01-01', end: '2025-12-31' },
    });
    expect(mapped.telecom.map((t) => [t.system, t.value, t.use])).toEqual([
      ['PHONE', '01632960587', 'HOME'],
      ['EMAIL', 'jane.smith@example.com', 'HOME'],
      ['OTHER', '01632960587', 'HOME'],
    ]);
  });

  it('takes the home address in force, never the temporary one, and falls back to the first home', () => {
    const json = fixture(FULL) as {
      address: Array<{ use: string; postalCode: string; period: { end: string } }>;
    };
    const [home, temp] = json.address;
    if (home === undefined || temp === undefined) throw new Error('fixture changed');
    temp.postalCode = 'TEMP 1AA';
    home.period.end = '2025-12-31';
    // Retrieved while the home address was current, and (as now) after it ended: HOME both times.
    const during = toPatientRecord(patient(json), {
      requestedNhsNumber: '9000000009',
      retrievedAt: '2025-12-31T23:59:59Z',
    });
    const after = toPatientRecord(patient(json), {
      requestedNhsNumber: '9000000009',
      retrievedAt: '2026-01-01T00:00:00Z',
    });
    expect(during.address?.use).toBe('HOME');
    expect(after.address?.use).toBe('HOME');
    // A second, current home address wins over the ended one.
    json.address.push({ ...structuredClone(home), postalCode: 'NEW 1AA', period: { end: '2030-01-01' } });
    expect(record(json).address?.postcode).toBe('NEW 1AA');
  });

  it('withholds location for the restricted record, 9000000025', () => {
    const mapped = record(fixture(RESTRICTED));
    expect(mapped).toMatchObject({
      nhsNumber: '9000000025',
      restricted: true,
      address: null,
      telecom: [],
      registeredGpOdsCode: null,
    });
    expect(mapped.usualName?.text).toBe('Mrs Janet Smythe MBE');
  });

  // CLINICAL SAFETY: PDS removes these elements from restricted records itself; mapping must not
  // depend on that. Take a real unrestricted payload that has them all and label it restricted.
  it.each(['R', 'V'])(
    'withholds address, telecom and GP when a payload that has them is labelled %s',
    (label) => {
      const json = fixture(FULL) as { meta: { security: Array<{ code: string; display: string }> } };
      expect(record(json)).toMatchObject({ restricted: false, registeredGpOdsCode: 'Y12345' });
      expect(record(json).address).not.toBeNull();
      expect(record(json).telecom).not.toEqual([]);

      json.meta.security = [{ ...json.meta.security[0], code: label, display: 'restricted' }];
      expect(record(json)).toMatchObject({
        restricted: true,
        address: null,
        telecom: [],
        registeredGpOdsCode: null,
      });
    },
  );

  it('maps the minimal record, 9000000033, to empty values rather than failing', () => {
    expect(record(fixture(MINIMAL))).toEqual({
      nhsNumber: '9000000033',
      usualName: null,
      names: [],
      birthDate: null,
      gender: null,
      address: null,
      telecom: [],
      deceased: null,
      registeredGpOdsCode: null,
      restricted: false,
      supersededNhsNumbers: [],
      versionId: '2',
      provenance: { source: 'PDS', retrievedAt: RETRIEVED_AT, stale: false },
    });
  });

  it('keeps 9000000015 (PatientCompoundName), which fails Modulus 11: upstream numbers are never dropped', () => {
    expect(isValidNhsNumber('9000000015')).toBe(false);
    const bundle = parsePdsSearchBundle(fixture(COMPOUND_NAME));
    if (!bundle.success) throw new Error('PatientCompoundName.json did not parse');
    const [match] = toPatientMatches(bundle.data, { retrievedAt: RETRIEVED_AT });
    expect(match?.patient.nhsNumber).toBe('9000000015');
    expect(match?.patient.usualName?.given).toEqual(['John Paul']);
    expect(match?.patient.usualName?.text).toBe('Mr John Paul Smith MBE');
  });

  // patient-get.yaml: a GET by a superseded number answers the superseding record, with another id.
  // No published payload shows one (APIS.md), so the real 9000000009 record stands for the answer
  // to a GET of 5900053636, the superseded INT number karate's searchParams.feature names.
  it('keys a superseded GET on the returned id and keeps the number asked for', () => {
    const mapped = record(fixture(FULL), '5900053636');
    expect(mapped.nhsNumber).toBe('9000000009');
    expect(mapped.supersededNhsNumbers).toEqual(['5900053636']);
  });

  it('reads death notification status 2 as FORMAL and, derived, 1 as INFORMAL', () => {
    expect(record(fixture(FULL)).deceased?.notificationStatus).toBe('FORMAL');
    // No published payload has status 1 (informal): derive one from the real record by changing
    // only the code inside its UK Core DeathNotificationStatus extension.
    const json = withDeathNotificationCode(fixture(FULL), '1');
    expect(record(json).deceased).toEqual({
      dateTime: '2010-10-22T00:00:00+00:00',
      notificationStatus: 'INFORMAL',
    });
  });

  it('does not call a patient deceased for a removed (U) notification without a date of death', () => {
    const json = withDeathNotificationCode(fixture(FULL), 'U') as Record<string, unknown>;
    delete json['deceasedDateTime'];
    expect(record(json).deceased).toBeNull();
  });

  it('builds each name text from its parts, and lists every name with the usual one first choice', () => {
    const mapped = record(
      fixture('karate-tests/src/test/java/mocks/stubs/patientResponses/patient_9732110317.json'),
    );
    expect(mapped.names.map((n) => [n.use, n.text])).toEqual([
      ['USUAL', 'Mr Adrian Sanderson'],
      ['OLD', 'Dr Roger Killen PhD'],
    ]);
    expect(mapped.usualName?.text).toBe('Mr Adrian Sanderson');
  });
});

function withDeathNotificationCode(json: unknown, code: string): unknown {
  const extensions = field(json, 'extension') as Array<{
    url: string;
    extension?: Array<Record<string, unknown>>;
  }>;
  const death = extensions.find((e) => e.url.endsWith('Extension-UKCore-DeathNotificationStatus'));
  const status = death?.extension?.find((e) => e['url'] === 'deathNotificationStatus');
  const coding = (status?.['valueCodeableConcept'] as { coding: Array<{ code: string }> } | undefined)
    ?.coding[0];
  if (coding === undefined) throw new Error('fixture has no death notification status');
  coding.code = code;
  return json;
}

// ---------------------------------------------------------------------------------------------
// Search

describe('toPatientMatches', () => {
  const realEntries = (names: string[]) =>
    names.flatMap((name) =>
      entriesOf(fixture(`karate-tests/src/test/java/mocks/stubs/searchResponses/${name}`)),
    );

  it('ranks by score, best first, whatever order PDS sent', () => {
    const entries = realEntries([
      'med_rowenad_searchset.json',
      'bill_garton_searchset.json',
      'fuzzy_single_searchset.json',
    ]);
    const bundle = parsePdsSearchBundle({
      resourceType: 'Bundle',
      type: 'searchset',
      total: entries.length,
      entry: entries,
    });
    if (!bundle.success) throw new Error('derived bundle did not parse');
    expect(
      toPatientMatches(bundle.data, { retrievedAt: RETRIEVED_AT }).map((m) => [m.patient.nhsNumber, m.score]),
    ).toEqual([
      ['9693632109', 1],
      ['5900022366', 0.8827],
      ['9733162450', 0.6806],
    ]);
  });

  it('keeps PDS order among equal scores (stable)', () => {
    const json = fixture(
      'karate-tests/src/test/java/mocks/stubs/searchResponses/multimatch_phoneAndEmail_searchset.json',
    );
    const bundle = parsePdsSearchBundle(json);
    if (!bundle.success) throw new Error('multimatch did not parse');
    const ids = entriesOf(json).map((e) => field(field(e, 'resource'), 'id'));
    expect(new Set(bundle.data.entry?.map((e) => e.search.score))).toEqual(new Set([1]));
    expect(
      toPatientMatches(bundle.data, { retrievedAt: RETRIEVED_AT }).map((m) => m.patient.nhsNumber),
    ).toEqual(ids);
  });

  it('returns no matches for an empty searchset', () => {
    const bundle = parsePdsSearchBundle({ resourceType: 'Bundle', type: 'searchset', total: 0 });
    if (!bundle.success) throw new Error('empty bundle did not parse');
    expect(toPatientMatches(bundle.data, { retrievedAt: RETRIEVED_AT })).toEqual([]);
  });
});

describe('toPdsSearchParams', () => {
  it('uses the PDS parameter names and formats (personal-demographics.yaml components/parameters)', () => {
    const params = toPdsSearchParams({
      family: 'Smith',
      given: 'John Paul',
      birthDate: '2010-10-22',
      gender: 'MALE',
      postcode: 'LS1 6AE',
      fuzzy: true,
      limit: 10,
    });
    expect([...params]).toEqual([
      ['family', 'Smith'],
      ['given', 'John Paul'],
      ['birthdate', 'eq2010-10-22'],
      ['gender', 'male'],
      ['address-postalcode', 'LS1 6AE'],
      ['_fuzzy-match', 'true'],
      ['_max-results', '10'],
    ]);
  });

  it('matches the sandbox fuzzy-search scenario in patient-search.yaml', () => {
    const params = toPdsSearchParams({
      family: 'Smith',
      given: 'Jane',
      gender: 'FEMALE',
      birthDate: '2010-10-22',
      fuzzy: true,
    });
    expect(Object.fromEntries(params)).toEqual({
      family: 'Smith',
      given: 'Jane',
      gender: 'female',
      birthdate: 'eq2010-10-22',
      '_fuzzy-match': 'true',
    });
  });

  it('sends nothing for criteria that are absent, and no fuzzy flag unless asked', () => {
    expect(toPdsSearchParams({ family: 'Sm*', given: null, fuzzy: false, limit: null }).toString()).toBe(
      'family=Sm*',
    );
  });

  it.each([0, 51, 2.5, -1])('refuses a limit of %s with BAD_USER_INPUT', (limit) => {
    const error = thrown(() => toPdsSearchParams({ family: 'Smith', limit }));
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, argument: 'limit' });
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

// ---------------------------------------------------------------------------------------------
// Errors

// Spine code -> [the HTTP status PDS sends it with, per specification/components/paths/*.yaml,
// and the extensions.code we promise]. A fixture with a code missing here fails the test, so a new
// error payload cannot slip through unmapped.
const EXPECTED_ERRORS: Record<string, [status: number, code: ErrorCode]> = {
  RESOURCE_NOT_FOUND: [404, ErrorCode.NOT_FOUND], // patient-get.yaml
  INVALIDATED_RESOURCE: [404, ErrorCode.NOT_FOUND], // patient-get.yaml
  INVALID_RESOURCE_ID: [400, ErrorCode.BAD_USER_INPUT], // patient-get.yaml
  INVALID_SEARCH_DATA: [400, ErrorCode.BAD_USER_INPUT], // patient-search.yaml
  MISSING_VALUE: [400, ErrorCode.BAD_USER_INPUT], // patient-search.yaml
  INVALID_VALUE: [400, ErrorCode.BAD_USER_INPUT], // patient-search.yaml
  UNSUPPORTED_SERVICE: [400, ErrorCode.BAD_USER_INPUT], // patient-search.yaml
  INVALID_UPDATE: [400, ErrorCode.BAD_USER_INPUT], // patient-patch.yaml
  TOO_FEW_VALUES_SUBMITTED: [400, ErrorCode.BAD_USER_INPUT], // patient-patch.yaml
  TOO_MANY_VALUES_SUBMITTED: [400, ErrorCode.BAD_USER_INPUT], // patient-patch.yaml
  INVALID_CREATE: [400, ErrorCode.BAD_USER_INPUT], // karate stub, issue code `value`
  INSERT_BIRTH_DEATH_STATUS_INCONSISTENT: [400, ErrorCode.BAD_USER_INPUT], // karate stub
  ADDITIONAL_PROPERTIES: [400, ErrorCode.UPSTREAM_REJECTED], // patient-search.yaml
  TOO_MANY_MATCHES: [200, ErrorCode.TOO_MANY_MATCHES], // patient-search.yaml: status 200!
  RESOURCE_VERSION_MISMATCH: [409, ErrorCode.CONFLICT], // patient-patch.yaml
  PRECONDITION_FAILED: [412, ErrorCode.UPSTREAM_REJECTED], // patient-patch.yaml
  ACCESS_DENIED: [401, ErrorCode.UPSTREAM_REJECTED], // patient-get.yaml
  FORBIDDEN_UPDATE: [403, ErrorCode.UPSTREAM_REJECTED], // patient-patch.yaml
  INVALID_METHOD: [403, ErrorCode.UPSTREAM_REJECTED], // karate stub, issue code `forbidden`
  // NOT_SUPPORTED_SEARCH.json: the sandbox's 200 "no example response" warning, with no Spine code.
  '': [200, ErrorCode.UPSTREAM_INVALID_RESPONSE],
};

const spineCodeOf = (outcome: PdsOperationOutcome): string =>
  outcome.issue
    .flatMap((i) => i.details?.coding ?? [])
    .find((c) => c.system === SPINE_ERROR_OR_WARNING_CODE_SYSTEM)?.code ?? '';

describe('toUpstreamError over every PDS error payload', () => {
  it.each(outcomes.map(row))('%s', (_name, f) => {
    const outcome = parsePdsOperationOutcome(f.json);
    expect(outcome.success).toBe(true); // karate `#(...)` templates included: placeholders are strings
    if (!outcome.success) return;
    const upstreamCode = spineCodeOf(outcome.data);
    const expected = EXPECTED_ERRORS[upstreamCode];
    if (expected === undefined)
      throw new Error(`add ${upstreamCode} to EXPECTED_ERRORS, with its status from the spec`);
    const [status, code] = expected;

    const error = toUpstreamError(status, outcome.data);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toEqual(
      upstreamCode === '' ? { code, service: 'PDS' } : { code, service: 'PDS', upstreamCode },
    );
    for (const issue of outcome.data.issue) {
      for (const text of [issue.diagnostics, ...(issue.details?.coding ?? []).map((c) => c.display)]) {
        if (text !== undefined && text.length > 3) expect(error.message).not.toContain(text);
      }
    }
  });
});

describe('toUpstreamError by status', () => {
  const outcome = (code: string) => {
    const parsed = parsePdsOperationOutcome({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'processing',
          details: {
            coding: [{ system: 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode', code }],
          },
          diagnostics: 'internal host spine-node-7.internal timed out',
        },
      ],
    });
    if (!parsed.success) throw new Error('outcome did not parse');
    return parsed.data;
  };

  it('503 SERVICE_UNAVAILABLE is UPSTREAM_UNAVAILABLE with the Retry-After (patient-patch.yaml)', () => {
    expect(toUpstreamError(503, outcome('SERVICE_UNAVAILABLE'), 30).extensions).toEqual({
      code: ErrorCode.UPSTREAM_UNAVAILABLE,
      service: 'PDS',
      upstreamCode: 'SERVICE_UNAVAILABLE',
      retryAfter: 30,
    });
  });

  it.each([
    [408, 'UNABLE_TO_CALL_SERVICE', ErrorCode.UPSTREAM_UNAVAILABLE],
    [500, undefined, ErrorCode.UPSTREAM_UNAVAILABLE],
    [502, undefined, ErrorCode.UPSTREAM_UNAVAILABLE],
    [429, 'TOO_MANY_REQUESTS', ErrorCode.RATE_LIMITED],
    // patient-search.yaml: 403 INVALID_VALUE is our app asking for more results than its mode allows.
    [403, 'INVALID_VALUE', ErrorCode.UPSTREAM_REJECTED],
    [401, undefined, ErrorCode.UPSTREAM_REJECTED],
    // A 404 without PDS's own code is not "no such patient" (it can be a wrong path at the gateway).
    [404, undefined, ErrorCode.UPSTREAM_REJECTED],
    [409, undefined, ErrorCode.CONFLICT],
    [200, undefined, ErrorCode.UPSTREAM_INVALID_RESPONSE],
  ])('%s %s is %s', (status, spine, code) => {
    const error = toUpstreamError(status, spine === undefined ? null : outcome(spine), 5);
    expect(error.extensions['code']).toBe(code);
    expect(error.extensions['service']).toBe('PDS');
    expect(error.extensions['upstreamCode']).toBe(spine);
    const retryable = code === ErrorCode.UPSTREAM_UNAVAILABLE || code === ErrorCode.RATE_LIMITED;
    expect(error.extensions['retryAfter']).toBe(retryable ? 5 : undefined);
  });

  it('never puts upstream diagnostics or display text in the message', () => {
    const codes = [...Object.keys(EXPECTED_ERRORS), 'SOMETHING_NEW'];
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.constantFrom(...codes),
        fc.string({ minLength: 4 }),
        (status, code, secret) => {
          const parsed = parsePdsOperationOutcome({
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'error',
                code: 'x',
                details: { coding: [{ code, display: secret }] },
                diagnostics: secret,
              },
            ],
          });
          if (!parsed.success) return false;
          const error = toUpstreamError(status, parsed.data);
          return (
            !error.message.includes(secret) &&
            Object.values(ErrorCode).includes(error.extensions['code'] as ErrorCode)
          );
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Refusal

describe('parsing refuses, never throws', () => {
  const full = () => fixture(FULL) as Record<string, unknown>;
  const without = (key: string) => {
    const json = full();
    delete json[key];
    return json;
  };

  it.each([
    ['id missing', without('id')],
    ['resourceType wrong', { ...full(), resourceType: 'RelatedPerson' }],
    ['resourceType missing', without('resourceType')],
    ['name not an array', { ...full(), name: { family: 'Smith' } }],
    ['id not ten digits', { ...full(), id: '900000000' }],
    ['id a number', { ...full(), id: 9000000009 }],
    ['id with spaces', { ...full(), id: '900 000 0009' }],
    ['gender not a PDS gender', { ...full(), gender: 'mal' }],
    ['an extension without a url', { ...full(), extension: [{ valueString: 'x' }] }],
    ['null', null],
    ['a string', 'Patient'],
    ['an array', [full()]],
  ])('a Patient with %s', (_what, json) => {
    expect(() => parsePdsPatient(json)).not.toThrow();
    expect(parsePdsPatient(json).success).toBe(false);
  });

  it.each([
    ['a score above 1', { score: 1.5 }],
    ['no score', {}],
  ])('a searchset entry with %s', (_what, search) => {
    const json = fixture('sandbox/mocks/PatientSearch.json') as { entry: Array<{ search: unknown }> };
    for (const entry of json.entry) entry.search = search;
    expect(parsePdsSearchBundle(json).success).toBe(false);
  });

  it('an OperationOutcome without issues', () => {
    expect(parsePdsOperationOutcome({ resourceType: 'OperationOutcome', issue: [] }).success).toBe(false);
    expect(parsePdsOperationOutcome(fixture(FULL)).success).toBe(false);
  });

  it('anything at all', () => {
    fc.assert(
      fc.property(fc.anything(), (json) => {
        parsePdsPatient(json);
        parsePdsSearchBundle(json);
        parsePdsOperationOutcome(json);
      }),
    );
  });

  it('ignores properties it does not know rather than refusing them', () => {
    expect(parsePdsPatient({ ...full(), somethingNew: { nested: true } }).success).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Writes: the address change a client sends, and the JSON Patch PDS receives

describe('toAddressChange', () => {
  const valid = {
    nhsNumber: '9000000009',
    version: '2',
    lines: ['2 Whitehall Quay', 'Leeds'],
    postcode: 'ls14bu',
  };

  it('trims lines and normalises the postcode', () => {
    expect(toAddressChange({ ...valid, lines: [' 2 Whitehall Quay ', 'Leeds'] })).toEqual({
      nhsNumber: '9000000009',
      version: '2',
      lines: ['2 Whitehall Quay', 'Leeds'],
      postcode: 'LS1 4BU',
    });
  });

  it.each([
    [{ lines: [] }, 'input.lines'],
    [{ lines: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'input.lines'],
    [{ lines: ['1 High Street', '  '] }, 'input.lines'],
    [{ lines: ['x'.repeat(101)] }, 'input.lines.0'],
    [{ postcode: 'NOT A POSTCODE' }, 'input.postcode'],
    [{ postcode: '' }, 'input.postcode'],
    [{ version: 'W/"2"' }, 'input.version'],
  ])('refuses %p naming %s', (override, argument) => {
    try {
      toAddressChange({ ...valid, ...override });
      throw new Error('expected BAD_USER_INPUT');
    } catch (error) {
      expect((error as GraphQLError).extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, argument });
    }
  });
});

describe('toAddressPatch on real PDS records', () => {
  const record = (name: string): PdsPatient => {
    const fixture = patients.find((f) => f.name === name);
    const parsed = parsePdsPatient(fixture?.json);
    if (!parsed.success) throw new Error(`${name} is not a PDS patient`);
    return parsed.data;
  };
  const change = { lines: ['2 Whitehall Quay', 'Leeds'], postcode: 'LS1 4BU' };

  it('replaces the home address in force, by index and id, after testing the id is still there', () => {
    expect(toAddressPatch(record('sandbox/mocks/Patient.json'), change, RETRIEVED_AT)).toEqual([
      { op: 'test', path: '/address/0/id', value: '456' },
      {
        op: 'replace',
        path: '/address/0',
        value: {
          id: '456',
          use: 'home',
          line: change.lines,
          postalCode: 'LS1 4BU',
          period: { start: '2026-01-15' },
        },
      },
    ]);
  });

  it('adds an address at /address/- for a record without one', () => {
    const minimal = record('sandbox/mocks/Minimal_Patient.json');
    expect(minimal.address ?? []).toEqual([]);
    expect(toAddressPatch(minimal, change, RETRIEVED_AT)).toEqual([
      {
        op: 'add',
        path: '/address/-',
        value: { use: 'home', line: change.lines, postalCode: 'LS1 4BU', period: { start: '2026-01-15' } },
      },
    ]);
  });
});
