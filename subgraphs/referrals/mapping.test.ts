// e-RS payloads -> canonical referrals, over every real e-RS mock copied into sandbox/fixtures/ers/
// (provenance in sandbox/fixtures/PROVENANCE.md): STU3 ReferralRequests, R4 ServiceRequest
// searchsets, R4 HealthcareServices, STU3 worklists and both generations' OperationOutcomes. The
// tables are driven by the directory listings, so a mock added there fails here until it is given
// an expectation.
import { readdirSync, readFileSync } from 'node:fs';
import {
  ErsHealthcareServiceSchema,
  ErsServiceRequestSchema,
  NHS_NUMBER_SYSTEM_R4,
  NHS_NUMBER_SYSTEM_STU3,
  parseHealthcareService,
  parseOperationOutcome,
  parseReferralRequest,
  parseSearchBundle,
  parseWorklist,
} from './fhir.js';
import {
  checkServiceIds,
  checkUbrn,
  ERS_PUBLIC_BASE_URL,
  fromHealthcareService,
  fromReferralRequest,
  fromServiceRequest,
  resolveSystem,
  toUpstreamError,
  toWorklistEntries,
} from './mapping.js';
import type { ReferralRecord } from './model.js';

const MOCKS = new URL('../../sandbox/fixtures/ers/sandbox/src/mocks/', import.meta.url);
const RETRIEVED_AT = '2026-01-15T09:30:00.000Z';
const json = (path: string): unknown => JSON.parse(readFileSync(new URL(path, MOCKS), 'utf8'));
const filesIn = (dir: string) =>
  readdirSync(new URL(dir, MOCKS))
    .filter((file) => file.endsWith('.json'))
    .sort();

function stu3(file: string): ReferralRecord {
  const parsed = parseReferralRequest(json(`stu3/retrieveReferralRequest/responses/${file}`));
  if (!parsed.success) throw new Error(parsed.issues.join('; '));
  return fromReferralRequest(parsed.data, { retrievedAt: RETRIEVED_AT });
}

function r4(file: string): ReferralRecord[] {
  const parsed = parseSearchBundle(
    json(`r4/searchServiceRequest/responses/${file}`),
    'ServiceRequest',
    ErsServiceRequestSchema,
  );
  if (!parsed.success) throw new Error(parsed.issues.join('; '));
  return parsed.data.map((request) => fromServiceRequest(request, { retrievedAt: RETRIEVED_AT }));
}

function thrownBy(run: () => unknown): { extensions?: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    return error as { extensions?: Record<string, unknown> };
  }
  throw new Error('expected an error');
}

const code = (concept: { codings: Array<{ code: string | null }> } | null) =>
  concept?.codings[0]?.code ?? null;

// ---------------------------------------------------------------------------------------------
// STU3 ReferralRequest (A005)

const STU3_REFERRALS: Record<
  string,
  {
    ubrn: string;
    state: string;
    priority: string;
    service: string | null;
    shortlist: string[];
    appointment: string | null;
  }
> = {
  'BookedDBS.json': {
    ubrn: '000000070001',
    state: 'BOOKED',
    priority: 'ROUTINE',
    service: '11002',
    shortlist: ['11002'],
    appointment: 'booked',
  },
  'BookedIBS.json': {
    ubrn: '000000070002',
    state: 'BOOKED',
    priority: 'ROUTINE',
    service: '11016',
    shortlist: ['11016', '11017'],
    appointment: 'booked',
  },
  'ConvertedFromAdviceAndGuidance.json': {
    ubrn: '000000070004',
    state: 'TRIAGED_PROVIDER_TO_ACTION',
    priority: 'TWO_WEEK_WAIT',
    service: '11014',
    shortlist: ['11014'],
    appointment: 'proposed',
  },
  'DeferredToProvider.json': {
    ubrn: '000000070003',
    state: 'DEFERRED_TO_PROVIDER',
    priority: 'URGENT',
    service: '11010',
    shortlist: ['11010'],
    appointment: 'proposed',
  },
  'Unbooked.json': {
    ubrn: '000000070000',
    state: 'NOT_BOOKED',
    priority: 'ROUTINE',
    service: null,
    shortlist: ['11002'],
    appointment: null,
  },
  'WithAdditionalRequirements.json': {
    ubrn: '000000070011',
    state: 'BOOKED',
    priority: 'ROUTINE',
    service: null,
    shortlist: ['11002'],
    appointment: null,
  },
  'WithRelatedReferral.json': {
    ubrn: '000000070005',
    state: 'BOOKED',
    priority: 'TWO_WEEK_WAIT',
    service: '11002',
    shortlist: ['11002'],
    appointment: 'booked',
  },
  'WithUnavailableAttachments.json': {
    ubrn: '000000070012',
    state: 'NOT_BOOKED',
    priority: 'ROUTINE',
    service: null,
    shortlist: ['11002'],
    appointment: null,
  },
};

describe('STU3 ReferralRequest -> Referral', () => {
  const files = filesIn('stu3/retrieveReferralRequest/responses/');

  it('covers every published mock', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(STU3_REFERRALS).sort()).toEqual(files);
  });

  it.each(files)('%s', (file) => {
    const expected = STU3_REFERRALS[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const referral = stu3(file);
    expect(referral).toMatchObject({
      ubrn: expected.ubrn,
      // The legacy STU3 NHS number system (http://fhir.nhs.net/Id/nhs-number) is read.
      nhsNumber: '9912003888',
      status: { code: null, mapped: false },
      provenance: { source: 'e-RS', retrievedAt: RETRIEVED_AT, stale: false },
    });
    expect(code(referral.status)).toBe(expected.state);
    expect(referral.status.codings[0]?.system).toBe(
      'https://fhir.nhs.uk/STU3/CodeSystem/eRS-ReferralState-1',
    );
    expect(code(referral.priority)).toBe(expected.priority);
    expect(code(referral.specialty)).toBe('CARDIOLOGY');
    expect(code(referral.clinicType)).toBe('HEART_FAILURE');
    expect(referral.service?.id ?? null).toBe(expected.service);
    expect(referral.shortlist.map((service) => service.id)).toEqual(expected.shortlist);
    expect(referral.appointment?.status ?? null).toBe(expected.appointment);
  });

  it('maps BookedDBS in full: booked service, appointment, dates, unmapped Concepts with codings kept', () => {
    const referral = stu3('BookedDBS.json');
    expect(referral).toEqual({
      ubrn: '000000070001',
      nhsNumber: '9912003888',
      status: {
        code: null,
        display: 'Booked',
        mapped: false,
        codings: [
          {
            system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-ReferralState-1',
            code: 'BOOKED',
            display: 'Booked',
          },
        ],
      },
      priority: {
        code: null,
        display: 'Routine',
        mapped: false,
        codings: [
          {
            system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-Priority-1',
            code: 'ROUTINE',
            display: 'Routine',
          },
        ],
      },
      specialty: {
        code: null,
        display: 'Cardiology',
        mapped: false,
        // `_baseUrl_/STU3/CodeSystem/SPECIALTY` resolved to the production e-RS base; code kept.
        codings: [
          {
            system: `${ERS_PUBLIC_BASE_URL}/STU3/CodeSystem/SPECIALTY`,
            code: 'CARDIOLOGY',
            display: 'Cardiology',
          },
        ],
      },
      clinicType: {
        code: null,
        display: null,
        mapped: false,
        codings: [
          {
            system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-ClinicType-1',
            code: 'HEART_FAILURE',
            display: null,
          },
        ],
      },
      category: null,
      requester: null,
      service: {
        id: '11002',
        name: 'Good Cardiology Business Service',
        active: null,
        types: [],
        odsCode: null,
      },
      shortlist: [
        { id: '11002', name: 'Good Cardiology Business Service', active: null, types: [], odsCode: null },
      ],
      appointment: {
        status: 'booked',
        start: '2021-06-13T12:30:00.000Z',
        end: '2021-06-13T12:45:00.000Z',
        created: '2021-06-11T12:33:25.664Z',
      },
      authoredOn: null,
      clinicalInfoFirstSubmitted: '2021-06-11T12:33:23.167Z',
      pathwayStart: '2024-05-08T09:54:23.167Z',
      provenance: { source: 'e-RS', retrievedAt: RETRIEVED_AT, stale: false },
    });
  });

  it('keeps a `_baseUrl_` coding whatever follows the placeholder (WithAdditionalRequirements: /STU3/v1/)', () => {
    expect(stu3('WithAdditionalRequirements.json').specialty?.codings).toEqual([
      {
        system: `${ERS_PUBLIC_BASE_URL}/STU3/v1/CodeSystem/SPECIALTY`,
        code: 'CARDIOLOGY',
        display: 'Cardiology',
      },
    ]);
  });

  it('reads a requester when e-RS sends one (agent SDS user id, on behalf of an ODS organisation)', () => {
    const raw = json('stu3/retrieveReferralRequest/responses/Unbooked.json') as Record<string, unknown>;
    const parsed = parseReferralRequest({
      ...raw,
      requester: {
        agent: { identifier: { system: 'http://fhir.nhs.net/Id/sds-user-id', value: '021600556514' } },
        onBehalfOf: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'R69' } },
      },
    });
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    expect(fromReferralRequest(parsed.data, { retrievedAt: RETRIEVED_AT }).requester).toEqual({
      userId: '021600556514',
      odsCode: 'R69',
    });
  });

  const raw = () => json('stu3/retrieveReferralRequest/responses/BookedDBS.json') as Record<string, unknown>;
  it.each([
    ['an id that is not a UBRN', (r: Record<string, unknown>) => ({ ...r, id: 'r.c18c4ec4' })],
    ['no subject', ({ subject: _subject, ...r }: Record<string, unknown>) => r],
    [
      'a subject in another identifier system',
      (r: Record<string, unknown>) => ({
        ...r,
        subject: { identifier: { system: 'urn:x', value: '9912003888' } },
      }),
    ],
    ['no status', ({ status: _status, ...r }: Record<string, unknown>) => r],
    ['another resource type', (r: Record<string, unknown>) => ({ ...r, resourceType: 'ServiceRequest' })],
    [
      'a malformed contained Appointment',
      (r: Record<string, unknown>) => ({
        ...r,
        contained: [{ resourceType: 'Appointment', id: 'appointment', start: 7 }],
      }),
    ],
  ])('refuses a ReferralRequest with %s', (_case, change) => {
    expect(parseReferralRequest(change(raw())).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// R4 ServiceRequest (A041)

const R4_SEARCHES: Record<string, Array<{ ubrn: string; category: string }>> = {
  'ResponseExampleAdvice.json': [{ ubrn: '000000070001', category: 'request' }],
  'ResponseExampleEmpty.json': [],
  'ResponseExampleReferral.json': [{ ubrn: '000000070000', category: 'referral' }],
};

describe('R4 ServiceRequest -> Referral', () => {
  const files = filesIn('r4/searchServiceRequest/responses/');

  it('covers every published mock', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(R4_SEARCHES).sort()).toEqual(files);
  });

  it.each(files)('%s', (file) => {
    const expected = R4_SEARCHES[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const referrals = r4(file);
    expect(referrals.map((r) => ({ ubrn: r.ubrn, category: code(r.category) }))).toEqual(expected);
    for (const referral of referrals) {
      // The R4 NHS number system (https://fhir.nhs.uk/Id/nhs-number).
      expect(referral.nhsNumber).toBe('9912003888');
      expect(referral.status.codings).toEqual([
        { system: 'http://hl7.org/fhir/request-status', code: 'active', display: null },
      ]);
    }
  });

  it('gives the same canonical shape as STU3 for the same referral (UBRN 000000070000)', () => {
    const fromStu3 = stu3('Unbooked.json');
    const [fromR4] = r4('ResponseExampleReferral.json');
    expect(fromR4).toBeDefined();
    expect(Object.keys(fromR4 ?? {}).sort()).toEqual(Object.keys(fromStu3).sort());
    expect(fromR4).toMatchObject({ ubrn: fromStu3.ubrn, nhsNumber: fromStu3.nhsNumber });
  });

  it('accepts both NHS number systems and no other', () => {
    const [entry] = (
      json('r4/searchServiceRequest/responses/ResponseExampleReferral.json') as {
        entry: Array<{ resource: Record<string, unknown> }>;
      }
    ).entry;
    const withSystem = (system: string) =>
      ErsServiceRequestSchema.safeParse({
        ...entry?.resource,
        subject: { identifier: { system, value: '9000000009' } },
      }).success;
    expect(withSystem(NHS_NUMBER_SYSTEM_R4)).toBe(true);
    expect(withSystem(NHS_NUMBER_SYSTEM_STU3)).toBe(true);
    expect(withSystem('https://fhir.nhs.uk/Id/ers-request-id')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// R4 HealthcareService (A033, A035)

const SERVICES: Record<string, { id: string; name: string; odsCode: string; types: string[] }> = {
  'sampleServiceWithFullAttributes.json': {
    id: '2',
    name: 'Direct SVC 1',
    odsCode: 'R6901',
    types: ['DAY_CASE'],
  },
  'sampleServiceWithMinimumAttributes.json': {
    id: '1',
    name: 'Direct Service With Minimal',
    odsCode: 'R6901',
    types: [],
  },
};
const SERVICE_SEARCHES: Record<string, Array<[string, string]>> = {
  'searchServiceWithEmptyResponse.json': [],
  // Published as is: the entry with fullUrl …/3 carries id 1 (the id is what is read).
  'searchServiceWithMaxAndMinAttributes.json': [
    ['1', 'Direct SVC 1'],
    ['2', 'Direct SVC 2'],
  ],
  'searchServiceWithMinmumalAttributes.json': [
    ['1', 'Direct SVC 1'],
    ['2', 'Direct SVC 2'],
  ],
};

describe('R4 HealthcareService -> ReferralService', () => {
  const reads = filesIn('r4/getService/responses/');
  const searches = filesIn('r4/searchForServices/responses/');

  it('covers every published mock', () => {
    expect(reads.length + searches.length).toBeGreaterThan(0);
    expect(Object.keys(SERVICES).sort()).toEqual(reads);
    expect(Object.keys(SERVICE_SEARCHES).sort()).toEqual(searches);
  });

  it.each(reads)('%s', (file) => {
    const expected = SERVICES[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const parsed = parseHealthcareService(json(`r4/getService/responses/${file}`));
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    const service = fromHealthcareService(parsed.data);
    expect(service).toMatchObject({ id: expected.id, name: expected.name, odsCode: expected.odsCode });
    expect(service.types.map(code)).toEqual(expected.types);
  });

  it.each(searches)('%s', (file) => {
    const parsed = parseSearchBundle(
      json(`r4/searchForServices/responses/${file}`),
      'HealthcareService',
      ErsHealthcareServiceSchema,
    );
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    expect(parsed.data.map(fromHealthcareService).map((s) => [s.id, s.name])).toEqual(SERVICE_SEARCHES[file]);
  });

  it('accepts A035’s single-object `type` (a published known issue) as a list', () => {
    const parsed = parseHealthcareService({
      resourceType: 'HealthcareService',
      id: '9',
      type: { coding: [{ system: 'https://fhir.nhs.uk/CodeSystem/eRS-AppointmentType', code: 'DAY_CASE' }] },
    });
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    expect(fromHealthcareService(parsed.data).types.map(code)).toEqual(['DAY_CASE']);
  });
});

// ---------------------------------------------------------------------------------------------
// STU3 worklists (A008)

const WORKLISTS: Record<string, Array<[string, string]>> = {
  'AppointmentSlotIssues.json': [
    ['000000070001', '1000000001'],
    ['000000070000', '1000000001'],
  ],
  'AssessmentReturnedCancelledDna.json': [
    ['000000070001', '9462979626'],
    ['000000070000', '9462979626'],
  ],
  'AwaitingBooking.json': [
    ['000000070001', '9462979626'],
    ['000000070000', '9462979626'],
  ],
  'FilteredByClinician.json': [
    ['000000070000', '1000000001'],
    ['000000070001', '1000000001'],
  ],
  'FilteredByService.json': [['000000070001', '1000000001']],
  'FilteredBySpecialty.json': [
    ['000000070001', '9462979626'],
    ['000000070000', '1000000001'],
  ],
  'LettersOutstanding.json': [
    ['000000070001', '9462979626'],
    ['000000068002', '9312201101'],
  ],
  // Provider lists name the patient through a contained Patient (`#Patient-…`).
  'ReferralsForReview.json': [
    ['000000070002', '9462979626'],
    ['000000070001', '1000000001'],
  ],
  'RejectedTriageResponse.json': [
    ['000000070001', '9462979626'],
    ['000000070000', '9462979626'],
  ],
};

describe('STU3 worklists -> which referral is whose', () => {
  const files = filesIn('stu3/retrieveWorklist/responses/');

  it('covers every published mock', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(WORKLISTS).sort()).toEqual(files);
  });

  it.each(files)('%s', (file) => {
    const parsed = parseWorklist(json(`stu3/retrieveWorklist/responses/${file}`));
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    expect(toWorklistEntries(parsed.data).map((e) => [e.ubrn, e.nhsNumber])).toEqual(WORKLISTS[file]);
  });
});

// ---------------------------------------------------------------------------------------------
// OperationOutcomes -> error codes. Statuses: the R4 mocks are named by theirs; the STU3 ones are
// given the status the specification returns them with (responses/*.yaml).

const OUTCOMES: Record<string, { status: number; code: string; upstreamCode: string; retryAfter?: number }> =
  {
    'stu3/PasNotRespondingOperationOutcome.json': {
      status: 504,
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: 'PAS_NOT_RESPONDING',
    },
    'stu3/PasRespondedWithErrorOperationOutcome.json': {
      status: 504,
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: 'PAS_RESPONDED_WITH_ERROR',
    },
    'stu3/STU3-Forbidden.json': { status: 403, code: 'FORBIDDEN', upstreamCode: 'FORBIDDEN' },
    'stu3/STU3-OperationOutcome.json': {
      status: 422,
      code: 'UPSTREAM_REJECTED',
      upstreamCode: 'UNEXPECTED_FIELD',
    },
    'stu3/STU3-SandboxErrorOutcome.json': {
      status: 400,
      code: 'UPSTREAM_REJECTED',
      upstreamCode: 'SANDBOX_ERROR',
    },
    'stu3/STU3-ServiceUnavailable.json': {
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: 'SYSTEM_UNAVAILABLE',
    },
    'stu3/STU3-Unauthorised.json': { status: 401, code: 'UPSTREAM_REJECTED', upstreamCode: 'NO_ACCESS' },
    'r4/NHSDigital-OperationOutcome-400.json': {
      status: 400,
      code: 'UPSTREAM_REJECTED',
      upstreamCode: 'REC_BAD_REQUEST',
    },
    'r4/NHSDigital-OperationOutcome-401.json': {
      status: 401,
      code: 'UPSTREAM_REJECTED',
      upstreamCode: 'ACCESS_DENIED',
    },
    'r4/NHSDigital-OperationOutcome-403.json': {
      status: 403,
      code: 'FORBIDDEN',
      upstreamCode: 'REC_FORBIDDEN',
    },
    'r4/NHSDigital-OperationOutcome-404.json': {
      status: 404,
      code: 'NOT_FOUND',
      upstreamCode: 'REC_NOT_FOUND',
    },
    'r4/NHSDigital-OperationOutcome-406.json': {
      status: 406,
      code: 'UPSTREAM_REJECTED',
      upstreamCode: 'REC_NOT_ACCEPTABLE',
    },
    'r4/NHSDigital-OperationOutcome-415.json': {
      status: 415,
      code: 'UPSTREAM_REJECTED',
      upstreamCode: 'REC_UNSUPPORTED_MEDIA_TYPE',
    },
    // "Wait at least 5 minutes before checking its availability again."
    'r4/NHSDigital-OperationOutcome-422.json': {
      status: 422,
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: 'PENDING',
      retryAfter: 300,
    },
    'r4/NHSDigital-OperationOutcome-429.json': {
      status: 429,
      code: 'RATE_LIMITED',
      upstreamCode: 'TOO_MANY_REQUESTS',
    },
    'r4/NHSDigital-OperationOutcome-500.json': {
      status: 500,
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: 'REC_SERVER_ERROR',
    },
    'r4/NHSDigital-OperationOutcome-503.json': {
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCode: 'REC_UNAVAILABLE',
    },
    'r4/R4-SandboxErrorOutcome.json': {
      status: 400,
      code: 'UPSTREAM_REJECTED',
      upstreamCode: 'SANDBOX_ERROR',
    },
  };

describe('OperationOutcome -> error code', () => {
  const files = [...filesIn('stu3/').map((f) => `stu3/${f}`), ...filesIn('r4/').map((f) => `r4/${f}`)].sort();

  it('covers every published error mock', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(OUTCOMES).sort()).toEqual(files);
  });

  it.each(files)('%s', (file) => {
    const expected = OUTCOMES[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const parsed = parseOperationOutcome(json(file));
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    const error = toUpstreamError(expected.status, parsed.data);
    expect(error.extensions).toEqual({
      code: expected.code,
      service: 'e-RS',
      upstreamCode: expected.upstreamCode,
      ...(expected.retryAfter ? { retryAfter: expected.retryAfter } : {}),
    });
    // e-RS diagnostics (slot ids, UBRNs, field paths) never reach a client.
    expect(error.message).not.toMatch(/diagnostics|11002026|parameter\[|dummy/i);
  });

  const outcome = (ersCode: string) => ({
    resourceType: 'OperationOutcome' as const,
    issue: [
      {
        severity: 'error',
        code: 'business-rule',
        details: {
          coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-APIErrorCode-1', code: ersCode }],
        },
      },
    ],
  });

  it.each([
    // retrieveReferralRequest/422Response.yaml
    ['NO_RELATIONSHIP', 'FORBIDDEN'],
    ['INVALID_REQUEST_TYPE', 'NOT_FOUND'],
    ['PATIENT_ERROR', 'UPSTREAM_REJECTED'],
    ['SOMETHING_NEW', 'UPSTREAM_REJECTED'],
  ])('maps the 422 business rule %s to %s', (ersCode, expected) => {
    expect(toUpstreamError(422, outcome(ersCode)).extensions).toEqual({
      code: expected,
      service: 'e-RS',
      upstreamCode: ersCode,
    });
  });

  it.each([
    [423, 'CONFLICT', {}],
    [409, 'CONFLICT', {}],
    [429, 'RATE_LIMITED', { retryAfter: 8 }],
    [503, 'UPSTREAM_UNAVAILABLE', { retryAfter: 8 }],
    // A 404 without REC_NOT_FOUND may be a gateway answering a wrong path: not "no such referral".
    [404, 'UPSTREAM_REJECTED', {}],
    [200, 'UPSTREAM_INVALID_RESPONSE', {}],
  ])('maps status %d without an OperationOutcome to %s', (status, expected, extra) => {
    expect(toUpstreamError(status, null, 8).extensions).toEqual({
      code: expected,
      service: 'e-RS',
      ...extra,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Inputs and placeholders

describe('checkUbrn', () => {
  it.each(['000000070000', '000000070001', '123456789012'])('accepts %s', (ubrn) => {
    expect(checkUbrn(ubrn)).toBe(ubrn);
  });

  it.each(['00000007000', '0000000700001', '00000007000A', '', ' 000000070000', '000000070000/x'])(
    'refuses %j naming the argument',
    (ubrn) => {
      expect(thrownBy(() => checkUbrn(ubrn)).extensions).toEqual({
        code: 'BAD_USER_INPUT',
        argument: 'ubrn',
      });
    },
  );
});

describe('checkServiceIds', () => {
  it('accepts 1 to 20 digit ids, once each', () => {
    expect(checkServiceIds(['1', '2', '1'])).toEqual(['1', '2']);
  });

  it.each([[[]], [['x1']], [Array.from({ length: 21 }, (_, i) => String(i))]])('refuses %j', (ids) => {
    expect(thrownBy(() => checkServiceIds(ids)).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'ids',
    });
  });
});

describe('resolveSystem (`_baseUrl_`)', () => {
  it('resolves the placeholder to the production e-RS base and leaves other systems alone', () => {
    expect(resolveSystem('_baseUrl_/STU3/CodeSystem/SPECIALTY')).toBe(
      'https://api.service.nhs.uk/referrals/FHIR/STU3/CodeSystem/SPECIALTY',
    );
    expect(resolveSystem('https://fhir.nhs.uk/STU3/CodeSystem/eRS-Priority-1')).toBe(
      'https://fhir.nhs.uk/STU3/CodeSystem/eRS-Priority-1',
    );
    expect(resolveSystem(undefined)).toBeUndefined();
  });
});
