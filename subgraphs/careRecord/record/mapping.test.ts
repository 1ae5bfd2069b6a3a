// GP Connect structured records -> canonical care record, over every published Access Record
// Structured example copied into sandbox/fixtures/gpconnect/ (provenance in
// sandbox/fixtures/PROVENANCE.md). The summary table is driven by the directory listing, so an
// example added there fails here until it is given an expectation.
import { readdirSync, readFileSync } from 'node:fs';
import type { Concept } from '../../../platform/canonical.js';
import { parseOperationOutcome } from '../fhir.js';
import { parseStructuredBundle, type GpcStructuredBundle } from './fhir.js';
import { isSnomedConceptId } from '../../../platform/snomed.js';
import { dmdCodeOf, gpcConcept, toCareRecord } from './mapping.js';
import { toUpstreamError } from '../mapping-errors.js';
import { structuredRecordParameters } from './mapping-requests.js';
import type { CareRecord, ClinicalList, SectionRequest } from '../model.js';

const EXAMPLES = new URL(
  '../../../sandbox/fixtures/gpconnect/gpconnect/_includes/accessrecord_structured/',
  import.meta.url,
);
const RETRIEVED_AT = '2026-01-15T09:30:00.000Z';
const json = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as Record<string, unknown>;

function bundle(file: string): GpcStructuredBundle {
  const parsed = parseStructuredBundle(json(file));
  if (!parsed.success) throw new Error(`${file}: ${parsed.issues.join('; ')}`);
  return parsed.data;
}

const ALL: SectionRequest[] = [
  { section: 'allergies', includeEnded: true },
  { section: 'medications', includeIssues: true },
  { section: 'problems' },
  { section: 'immunisations' },
];
const record = (file: string, requests: SectionRequest[] = ALL) =>
  toCareRecord(bundle(file), requests, { retrievedAt: RETRIEVED_AT });

function ok<T>(value: T | Error | undefined): T {
  if (value === undefined) throw new Error('section missing');
  if (value instanceof Error) throw value;
  return value;
}

/** Items, unresolved entries and the empty reason of a list, in one line. */
const summary = (list: ClinicalList<unknown> | null) =>
  list === null
    ? null
    : `${list.items.length}${list.unresolvedEntries ? `+${list.unresolvedEntries}?` : ''}${
        list.emptyReason ? ` ${list.emptyReason.kind}` : ''
      }`;

function summarise(care: CareRecord) {
  const allergies = ok(care.allergies);
  return {
    active: summary(allergies.active),
    ended: summary(allergies.ended),
    medications: summary(ok(care.medications)),
    problems: summary(ok(care.problems)),
    immunisations: summary(ok(care.immunisations)),
  };
}

const responses = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.json') && !file.includes('_request'))
  .sort();

describe('every published structured-record example', () => {
  // n: the items mapped; +n?: list entries the example names but does not contain (flagged, never
  // dropped silently); NOT_PROVIDED: the example has no list for that area (unknown, not "none").
  const expected: Record<string, ReturnType<typeof summarise>> = {
    'allergies_response1.json': {
      active: '3+1?',
      ended: '1',
      medications: '0 NOT_PROVIDED',
      problems: '0 NOT_PROVIDED',
      immunisations: '0 NOT_PROVIDED',
    },
    'allergies_response3.json': {
      active: '0 NO_CONTENT_RECORDED',
      ended: '0 NOT_PROVIDED',
      medications: '0 NOT_PROVIDED',
      problems: '0 NOT_PROVIDED',
      immunisations: '0 NOT_PROVIDED',
    },
    'consultations_forwards_response1.json': {
      active: '3+1?',
      ended: '1',
      medications: '2',
      problems: '0 NOT_PROVIDED',
      immunisations: '0 NOT_PROVIDED',
    },
    'consultations_response2.json': {
      active: '0+1?',
      ended: '0 NOT_PROVIDED',
      medications: '0 NOT_PROVIDED',
      problems: '0 NOT_PROVIDED',
      immunisations: '0 NOT_PROVIDED',
    },
    'consultations_response3.json': none(),
    'diaryentries_response1.json': none(),
    'immunizations_response1.json': { ...none(), immunisations: '1' },
    'immunizations_response2.json': { ...none(), immunisations: '2' },
    'meds_response.json': { ...none(), medications: '3' },
    'pathology_response1.json': none(),
    'problems_response1.json': none(),
    'problems_response2.json': {
      active: '0+1?',
      ended: '0 NOT_PROVIDED',
      medications: '0 NOT_PROVIDED',
      problems: '0 NOT_PROVIDED',
      immunisations: '0 NOT_PROVIDED',
    },
    'referrals_response1.json': none(),
    // A documentation skeleton: its lists carry no codes, so no area is recognised.
    'skeleton_full_record.json': none(),
    // Medication requests with no Medication list: not a medications answer.
    'split_plan.json': none(),
    'uncategorised_response1.json': none(),
    'uncategorised_response2.json': {
      active: '0+1?',
      ended: '0 NOT_PROVIDED',
      medications: '0 NOT_PROVIDED',
      problems: '0 NOT_PROVIDED',
      immunisations: '0 NOT_PROVIDED',
    },
  };
  function none() {
    return {
      active: '0 NOT_PROVIDED',
      ended: '0 NOT_PROVIDED',
      medications: '0 NOT_PROVIDED',
      problems: '0 NOT_PROVIDED',
      immunisations: '0 NOT_PROVIDED',
    };
  }

  it('has an expectation for each example in the fixtures', () => {
    expect(responses).toEqual(Object.keys(expected).sort());
  });

  it.each(responses)('%s parses and maps', (file) => {
    expect(summarise(record(file))).toEqual(expected[file]);
  });

  it.each(responses)(
    '%s: every coded value keeps its codings, and only valid SNOMED CT is mapped',
    (file) => {
      const concepts: Concept[] = [];
      JSON.stringify(record(file), (_key, value: unknown) => {
        if (typeof value === 'object' && value !== null && 'mapped' in value && 'codings' in value)
          concepts.push(value as Concept);
        return value;
      });
      for (const concept of concepts) {
        if (concept.mapped) expect(isSnomedConceptId(concept.code ?? undefined)).toBe(true);
        else expect(concept.code).toBeNull();
        if (concept.codings.length === 0) expect(concept.display).not.toBeNull();
      }
    },
  );
});

describe('allergies (allergies_response1.json)', () => {
  const allergies = ok(record('allergies_response1.json').allergies);

  it('keeps active and ended allergies apart, flags the entry the example names but omits', () => {
    expect(allergies.active.items.map((a) => [a.code.code, a.code.display, a.clinicalStatus])).toEqual([
      ['323509004', 'Amoxicillin 250mg capsules', 'active'],
      ['256349002', 'Peanut - dietary', 'active'],
      ['196461000000101', 'Transfer-degraded drug allergy', 'active'],
    ]);
    // AllergyIntolerance/561850bd-… is listed but not in the Bundle.
    expect(allergies.active.unresolvedEntries).toBe(1);
    expect(allergies.active.emptyReason).toBeNull();
    expect(allergies.provenance).toEqual({ source: 'GP Connect', retrievedAt: RETRIEVED_AT, stale: false });
  });

  it('reads an ended allergy from the list’s contained resources, with when and why it ended', () => {
    expect(allergies.ended?.items).toEqual([
      expect.objectContaining({
        id: 'Resolved-1',
        code: expect.objectContaining({ code: '319773006', mapped: true }),
        clinicalStatus: 'resolved',
        type: 'intolerance',
        endDate: '2018-03-01',
        endReason: 'Patient reports no subsequent recurrence on same medication',
        reactions: [
          {
            manifestations: [expect.objectContaining({ code: '422400008', display: 'Vomiting' })],
            description: null,
            severity: 'severe',
          },
        ],
      }),
    ]);
  });

  it('keeps what was recorded behind a transfer-degraded code, and the reaction text', () => {
    const [, peanut, degraded] = allergies.active.items;
    expect(degraded?.originalText).toBe('Allergy to paracetemol');
    expect(peanut?.originalText).toBe('Nut allergy');
    expect(peanut?.criticality).toBe('high');
    expect(peanut?.categories).toEqual(['environment']);
    expect(peanut?.notes).toEqual([
      'Certainty: Certain, Severity: Life Threatening, NOTES: notes on the peanut allergy',
    ]);
  });

  it('leaves out ended allergies unless they were asked for', () => {
    const active = ok(record('allergies_response1.json', [{ section: 'allergies' }]).allergies);
    expect(active.ended).toBeNull();
    expect(active.active.items).toHaveLength(3);
  });
});

describe('empty lists keep why they are empty', () => {
  it('"no content recorded" (allergies_response3.json) with its note', () => {
    const { active } = ok(record('allergies_response3.json').allergies);
    expect(active.items).toEqual([]);
    expect(active.emptyReason).toEqual({
      kind: 'NO_CONTENT_RECORDED',
      concept: {
        code: null,
        display: 'No Content Recorded',
        codings: [
          {
            system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1',
            code: 'no-content-recorded',
            display: 'No Content Recorded',
          },
        ],
        mapped: false,
      },
      text: 'Information not available.',
    });
  });

  // The allergies guidance ("Negation - Handling 'no known allergies'") describes both forms; no
  // published example shows them, so the allergies_response3.json list is varied here.
  const variant = (changes: Record<string, unknown>): GpcStructuredBundle => {
    const example = json('allergies_response3.json') as {
      entry: Array<{ resource: Record<string, unknown> }>;
    };
    const entry = example.entry.map(({ resource }) =>
      resource['resourceType'] === 'List'
        ? { resource: { ...resource, emptyReason: undefined, ...changes } }
        : { resource },
    );
    const parsed = parseStructuredBundle({ ...example, entry });
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    return parsed.data;
  };

  it('tells "no known allergies" (nilknown) apart from a record where none were asked about', () => {
    const nka = variant({
      emptyReason: {
        coding: [{ system: 'http://hl7.org/fhir/list-empty-reason', code: 'nilknown', display: 'Nil Known' }],
        text: 'No known allergies',
      },
      note: [],
    });
    const unconfirmed = variant({
      note: [
        {
          text: 'There are no allergies in the patient record but it has not been confirmed with the patient that they have no allergies (that is, a ‘no known allergies’ code has not been recorded).',
        },
      ],
    });
    const reason = (b: GpcStructuredBundle) =>
      ok(toCareRecord(b, [{ section: 'allergies' }], { retrievedAt: RETRIEVED_AT }).allergies).active
        .emptyReason;
    expect(reason(nka)).toMatchObject({ kind: 'NIL_KNOWN', text: 'No known allergies' });
    expect(reason(unconfirmed)).toMatchObject({ kind: 'NONE_GIVEN', concept: null });
    expect(reason(unconfirmed)?.text).toMatch(/not been confirmed with the patient/);
  });

  it('reads list warnings (confidential items, data in transit)', () => {
    const warned = variant({
      extension: [
        {
          url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1',
          valueCode: 'confidential-items',
        },
        {
          url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1',
          valueCode: 'data-in-transit',
        },
      ],
    });
    const { active } = ok(
      toCareRecord(warned, [{ section: 'allergies' }], { retrievedAt: RETRIEVED_AT }).allergies,
    );
    expect(active.warnings).toEqual([
      { kind: 'CONFIDENTIAL_ITEMS', code: 'confidential-items' },
      { kind: 'DATA_IN_TRANSIT', code: 'data-in-transit' },
    ]);
  });

  it('explains an area the provider did not answer by its OperationOutcome warning', () => {
    const problems = ok(record('consultations_forwards_response1.json').problems);
    expect(problems.emptyReason).toEqual({
      kind: 'NOT_PROVIDED',
      concept: expect.objectContaining({ codings: [expect.objectContaining({ code: 'NOT_IMPLEMENTED' })] }),
      text: 'includeProblems is an unrecognised parameter',
    });
  });
});

describe('medications (meds_response.json)', () => {
  const medications = ok(record('meds_response.json').medications);

  it('joins each MedicationStatement to its Medication, plan and issues', () => {
    expect(
      medications.items.map((m) => [
        m.id,
        m.code.code,
        m.dmdCode,
        m.prescriptionType?.display,
        m.issues?.length,
      ]),
    ).toEqual([
      ['6bff710a-0bdc-4c9b-b98b-40db0a107edc', '323509004', '323509004', 'Acute', 1],
      ['985eba1d-e4fd-41ad-90aa-f840dff453d9', '323509004', '323509004', 'Acute', 0],
      ['791ceb40-db0a-491d-ab0f-22f5a08509fd', '319773006', '319773006', 'Repeat', 2],
    ]);
  });

  it('reads a repeat: repeats allowed and issued, last issue, dosage and quantity text', () => {
    const aspirin = medications.items[2];
    expect(aspirin).toMatchObject({
      status: 'active',
      effectiveStart: '2016-08-11',
      // Sent under the HL7 UK extension URL in this example.
      lastIssueDate: '2016-09-11',
      dosage: 'TAKE ONE DAILY',
      patientInstruction: 'INSTRUCTIONS FOR PATIENT',
      quantity: 'quantity varies dependent on schedule',
      repeatsAllowed: 5,
      repeatsIssued: 2,
      prescribingAgency: expect.objectContaining({ display: 'Prescribed at GP practice', mapped: false }),
    });
    expect(aspirin?.issues?.map((issue) => [issue.authoredOn, issue.status, issue.supplyDuration])).toEqual([
      ['2016-08-11', 'completed', '28 day'],
      ['2016-09-11', 'completed', '28 day'],
    ]);
  });

  it('leaves issues out unless they were asked for', () => {
    const plain = ok(record('meds_response.json', [{ section: 'medications' }]).medications);
    expect(plain.items.map((m) => m.issues)).toEqual([null, null, null]);
  });
});

describe('immunisations (immunizations_response2.json)', () => {
  const immunisations = ok(record('immunizations_response2.json').immunisations);

  it('keeps an unknown vaccine code flagged, with the procedure that says what was given', () => {
    const [first] = immunisations.items;
    expect(first?.vaccine).toEqual({
      code: null,
      display: 'Unknown',
      // The example's system has a trailing space; it is kept exactly as sent.
      codings: [{ system: 'http://hl7.org/fhir/v3/NullFlavor ', code: 'UNK', display: null }],
      mapped: false,
    });
    expect(first).toMatchObject({
      procedure: expect.objectContaining({ code: '170378007', display: 'First hepatitis A vaccination' }),
      given: true,
      date: '2019-06-28',
      dateRecorded: '2019-06-28T10:00:00+01:00',
      dose: '0.5 ml',
      lotNumber: 'AAJN11K',
      doseSequence: 1,
      seriesDoses: 3,
      parentPresent: true,
      targetDiseases: [expect.objectContaining({ code: '40468003' })],
    });
  });

  it('reads a vaccination not given, with why', () => {
    const notGiven = immunisations.items[1];
    expect(notGiven?.given).toBe(false);
    expect(notGiven?.notGivenReasons).toEqual([
      expect.objectContaining({ code: '213257006', display: 'Generally unwell' }),
    ]);
  });
});

describe('coded values', () => {
  it('maps SNOMED CT and dm+d concept ids, keeps Read, CTV3 and local codes unmapped with their codings', () => {
    // split_plan.json's Medication: an EMIS drug code and its SNOMED CT code.
    const medication = (json('split_plan.json')['entry'] as Array<{ resource: Record<string, unknown> }>)[3]!
      .resource;
    const emis = gpcConcept(medication['code'] as never);
    expect(emis).toMatchObject({ code: '317971007', display: 'Furosemide 20mg tablets', mapped: true });
    expect(emis.codings.map((c) => c.system)).toEqual([
      'https://fhir.hl7.org.uk/Id/emis-drug-codes',
      'http://snomed.info/sct',
    ]);
    expect(gpcConcept({ coding: [{ system: 'https://dmd.nhs.uk', code: '317971007' }] })).toMatchObject({
      code: '317971007',
      mapped: true,
    });
    for (const system of [
      'http://read.info/readv2',
      'http://read.info/ctv3',
      'https://fhir.hl7.org.uk/Id/emis-drug-codes',
    ]) {
      expect(gpcConcept({ coding: [{ system, code: 'H33..', display: 'Asthma' }] })).toEqual({
        code: null,
        display: 'Asthma',
        codings: [{ system, code: 'H33..', display: 'Asthma' }],
        mapped: false,
      });
    }
  });

  it('flags a code under the SNOMED system that is not a concept id (the resolved list’s `TBD`)', () => {
    expect(isSnomedConceptId('TBD')).toBe(false);
    // A description id (partition 11) and a wrong check digit are not concept ids either.
    expect(isSnomedConceptId('56966201000001112')).toBe(false);
    expect(isSnomedConceptId('323509005')).toBe(false);
    expect(isSnomedConceptId('886921000000105')).toBe(true);
    expect(
      gpcConcept({
        coding: [{ system: 'http://snomed.info/sct', code: 'TBD', display: 'Resolved Allergies' }],
      }),
    ).toMatchObject({
      code: null,
      mapped: false,
    });
  });

  it('takes the dm+d id a Medication is coded with, under SNOMED CT (GP Connect) or dm+d (UK Core)', () => {
    expect(dmdCodeOf({ coding: [{ system: 'http://snomed.info/sct', code: '319773006' }] })).toBe(
      '319773006',
    );
    expect(dmdCodeOf({ coding: [{ system: 'https://dmd.nhs.uk', code: '319773006' }] })).toBe('319773006');
    expect(
      dmdCodeOf({
        coding: [{ system: 'https://fhir.hl7.org.uk/Id/emis-drug-codes', code: 'FUTA17675NEMIS' }],
      }),
    ).toBeNull();
  });
});

describe('a section that cannot be read', () => {
  it('refuses that section with UPSTREAM_INVALID_RESPONSE and answers the others', () => {
    const example = json('consultations_forwards_response1.json') as {
      entry: Array<{ resource: Record<string, unknown> }>;
    };
    const entry = example.entry.map(({ resource }) =>
      resource['id'] === '5eb0f76a-cecb-4b83-999d-ddb76e551a9b'
        ? { resource: { ...resource, code: 'peanut' } }
        : { resource },
    );
    const parsed = parseStructuredBundle({ ...example, entry });
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    const care = toCareRecord(parsed.data, ALL, { retrievedAt: RETRIEVED_AT });
    expect(care.allergies).toBeInstanceOf(Error);
    expect((care.allergies as { extensions?: unknown }).extensions).toEqual({
      code: 'UPSTREAM_INVALID_RESPONSE',
      service: 'GP Connect',
    });
    expect(ok(care.medications).items).toHaveLength(2);
  });
});

describe('the request body', () => {
  const withoutMeta = ({ meta: _meta, ...rest }: Record<string, unknown>) => rest;
  const nhsNumber = '9999999999';

  it.each<[string, SectionRequest[]]>([
    ['allergies_request1.json', [{ section: 'allergies', includeEnded: true }]],
    ['allergies_request2.json', [{ section: 'allergies', includeEnded: false }]],
    ['allergies_request3.json', [{ section: 'allergies' }]],
    ['immunizations_request1.json', [{ section: 'immunisations' }]],
  ])('matches the published %s', (file, requests) => {
    expect(withoutMeta(structuredRecordParameters(nhsNumber, requests))).toEqual(json(file));
  });

  it('asks once for the union of what the sections want', () => {
    const body = structuredRecordParameters(nhsNumber, [
      { section: 'allergies', includeEnded: false },
      { section: 'medications' },
      { section: 'allergies', includeEnded: true },
      { section: 'problems' },
      { section: 'problems' },
    ]);
    expect(body.parameter.map((p) => [p['name'], p['part']])).toEqual([
      ['patientNHSNumber', undefined],
      ['includeAllergies', [{ name: 'includeResolvedAllergies', valueBoolean: true }]],
      ['includeMedication', [{ name: 'includePrescriptionIssues', valueBoolean: false }]],
      ['includeProblems', undefined],
    ]);
  });
});

describe('GP Connect errors', () => {
  const outcome = (code: string, issue = 'forbidden') => {
    const parsed = parseOperationOutcome({
      resourceType: 'OperationOutcome',
      meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1'] },
      issue: [
        {
          severity: 'error',
          code: issue,
          details: {
            coding: [{ system: 'https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1', code }],
          },
          diagnostics: 'internal detail that must not reach a client',
        },
      ],
    });
    if (!parsed.success) throw new Error('bad outcome');
    return parsed.data;
  };

  it.each<[number, string, string]>([
    [403, 'NO_PATIENT_CONSENT', 'FORBIDDEN'],
    [403, 'NO_RELATIONSHIP', 'FORBIDDEN'],
    [403, 'ACCESS DENIED', 'FORBIDDEN'],
    [404, 'PATIENT_NOT_FOUND', 'NOT_FOUND'],
    [400, 'INVALID_NHS_NUMBER', 'UPSTREAM_REJECTED'],
    [409, 'DUPLICATE_REJECTED', 'CONFLICT'],
    [422, 'INVALID_PARAMETER', 'UPSTREAM_REJECTED'],
    [400, 'BAD_REQUEST', 'UPSTREAM_REJECTED'],
    [500, 'INTERNAL_SERVER_ERROR', 'UPSTREAM_UNAVAILABLE'],
  ])('%i %s -> %s, with the Spine code and never the diagnostics', (status, spine, code) => {
    const error = toUpstreamError(status, outcome(spine));
    expect(error.extensions).toEqual({ code, service: 'GP Connect', upstreamCode: spine });
    expect(error.message).not.toMatch(/internal detail/);
  });

  it('does not call a bare 404 "patient not found" (it may be a wrong path)', () => {
    expect(toUpstreamError(404, null).extensions).toEqual({
      code: 'UPSTREAM_REJECTED',
      service: 'GP Connect',
    });
  });

  it('passes on Retry-After for 429 and 503', () => {
    expect(toUpstreamError(429, null, 3).extensions).toEqual({
      code: 'RATE_LIMITED',
      service: 'GP Connect',
      retryAfter: 3,
    });
  });
});
