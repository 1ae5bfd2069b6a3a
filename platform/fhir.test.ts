// The shared FHIR helpers, over real payloads: the PDS fixtures in sandbox/fixtures/pds/ and, for
// SNOMED CT, CodeableConcepts quoted from GP Connect's published examples (cited where used).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  CodeableConceptSchema,
  ExtensionSchema,
  extensionValue,
  findExtension,
  hasEnded,
  OperationOutcomeSchema,
  PeriodSchema,
  toConcept,
  toPeriod,
} from './fhir.js';

const PDS_FIXTURES = fileURLToPath(new URL('../sandbox/fixtures/pds/', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

// specification/components/examples/*.json hold their git symlink's target path as text.
function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8').trim();
  if (/^\.{1,2}\/[^\s]+\.json$/.test(text)) return readJson(resolve(dirname(file), text));
  return JSON.parse(text) as unknown;
}

const fixtures = listFiles(PDS_FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ name: relative(PDS_FIXTURES, file), json: readJson(file) }));

const resourceType = (json: unknown) =>
  typeof json === 'object' && json !== null ? (json as { resourceType?: unknown }).resourceType : undefined;

/** Every `extension` array anywhere in a payload, with where it was found. */
function extensionArrays(json: unknown, path = ''): Array<[string, unknown[]]> {
  if (Array.isArray(json)) return json.flatMap((item, i) => extensionArrays(item, `${path}[${i}]`));
  if (typeof json !== 'object' || json === null) return [];
  return Object.entries(json).flatMap(([key, value]): Array<[string, unknown[]]> => {
    const here: Array<[string, unknown[]]> =
      key === 'extension' && Array.isArray(value) ? [[`${path}.${key}`, value]] : [];
    return [...here, ...extensionArrays(value, `${path}.${key}`)];
  });
}

const outcomes = fixtures.filter((f) => resourceType(f.json) === 'OperationOutcome');
const withExtensions = fixtures
  .map((f): [string, Array<[string, unknown[]]>] => [f.name, extensionArrays(f.json)])
  .filter(([, arrays]) => arrays.length > 0);
const fullPatient = fixtures.find((f) => f.name === 'sandbox/mocks/Patient.json')?.json;

describe('toConcept', () => {
  // nhsconnect/gpconnect 9dffc3448144, _includes/accessrecord_structured/diaryentries_response1.json,
  // entry[8].resource.code: a SNOMED CT coding with a description extension, and local text.
  const swollenLegs = CodeableConceptSchema.parse({
    coding: [
      {
        system: 'http://snomed.info/sct',
        code: '449614009',
        display: 'Swelling of lower limb (finding)',
        extension: [
          {
            url: 'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-coding-sctdescid',
            extension: [
              { url: 'DescriptionID', valueId: '2729461000000110' },
              { url: 'descriptionDisplay', valueString: 'Swollen leg' },
            ],
          },
        ],
      },
    ],
    text: 'Swollen legs',
  });

  // Same repository, immunizations_response2.json, entry[7].resource.vaccineCode: no SNOMED code,
  // a NullFlavor coding (its system has a trailing space upstream, kept as sent) and text only.
  const unknownVaccine = CodeableConceptSchema.parse({
    coding: [{ system: 'http://hl7.org/fhir/v3/NullFlavor ', code: 'UNK' }],
    text: 'Unknown',
  });

  it('takes the SNOMED CT code and display and keeps the coding', () => {
    expect(toConcept(swollenLegs)).toEqual({
      code: '449614009',
      display: 'Swelling of lower limb (finding)',
      codings: [
        { system: 'http://snomed.info/sct', code: '449614009', display: 'Swelling of lower limb (finding)' },
      ],
      mapped: true,
    });
  });

  it('marks a concept with no SNOMED CT coding unmapped, keeps its codings and falls back to text', () => {
    expect(toConcept(unknownVaccine)).toEqual({
      code: null,
      display: 'Unknown',
      codings: [{ system: 'http://hl7.org/fhir/v3/NullFlavor ', code: 'UNK', display: null }],
      mapped: false,
    });
  });

  it('takes the display of a non-SNOMED coding before text (PDS NHSNumberVerificationStatus)', () => {
    const status = CodeableConceptSchema.parse({
      coding: [
        {
          system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatus',
          version: '1.0.0',
          code: '01',
          display: 'Number present and verified',
        },
      ],
    });
    expect(toConcept(status)).toMatchObject({
      code: null,
      display: 'Number present and verified',
      mapped: false,
    });
  });

  it('prefers SNOMED CT wherever it sits among the codings, and keeps them all in order', () => {
    const readThenSnomed = {
      coding: [
        { system: 'http://read.info/readv2', code: 'H33..', display: 'Asthma (Read)' },
        { system: 'http://snomed.info/sct', code: '195967001' },
      ],
    };
    const concept = toConcept(readThenSnomed);
    expect(concept).toMatchObject({ code: '195967001', mapped: true, display: 'Asthma (Read)' });
    expect(concept.codings.map((c) => c.code)).toEqual(['H33..', '195967001']);
  });

  it('maps an empty concept to nothing, unmapped', () => {
    expect(toConcept({})).toEqual({ code: null, display: null, codings: [], mapped: false });
  });

  it('never drops a coding', () => {
    const coding = fc.record(
      {
        system: fc.constantFrom('http://snomed.info/sct', 'http://read.info/ctv3', 'local'),
        code: fc.string(),
        display: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(coding), (codings) => {
        const concept = toConcept({ coding: codings });
        return concept.codings.length === codings.length && concept.mapped === (concept.code !== null);
      }),
    );
  });
});

describe('periods', () => {
  it('toPeriod keeps open ends open and an absent period absent', () => {
    expect(toPeriod({ start: '2024-01-01' })).toEqual({ start: '2024-01-01', end: null });
    expect(toPeriod(PeriodSchema.parse({ start: '2024-01-01', end: '2025-12-31' }))).toEqual({
      start: '2024-01-01',
      end: '2025-12-31',
    });
    expect(toPeriod(undefined)).toBeNull();
  });

  it.each([
    [{ end: '2025-12-31' }, '2025-12-31T23:59:59Z', false], // a date-only end includes its whole day
    [{ end: '2025-12-31' }, '2026-01-01T00:00:00Z', true],
    [{ end: '2025-12' }, '2025-12-31T12:00:00Z', false],
    [{ end: '2025' }, '2026-01-01T00:00:00Z', true],
    [{ end: '2021-12-31T00:00:00+00:00' }, '2021-12-31T00:00:01Z', true],
    [{ start: '2024-01-01' }, '2099-01-01T00:00:00Z', false],
    [undefined, '2026-01-01T00:00:00Z', false],
    [{ end: 'not a date' }, '2026-01-01T00:00:00Z', false],
  ])('hasEnded(%j, %s) is %s', (period, at, ended) => {
    expect(hasEnded(period, at)).toBe(ended);
  });
});

describe('ExtensionSchema', () => {
  it('finds extensions in the PDS fixtures to check', () => {
    expect(withExtensions.length).toBeGreaterThan(20);
  });

  it.each(withExtensions)('parses every extension, at every depth, in %s', (_name, arrays) => {
    const failed = arrays.filter(([, extensions]) => !ExtensionSchema.array().safeParse(extensions).success);
    expect(failed.map(([path]) => path)).toEqual([]);
  });

  it('keeps value[x] and nested extensions, read where they are used', () => {
    const extensions = ExtensionSchema.array().parse(
      (fullPatient as { extension: unknown[] } | undefined)?.extension,
    );
    const death = findExtension(
      extensions,
      'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus',
    );
    const status = extensionValue(
      findExtension(death?.extension, 'deathNotificationStatus'),
      'valueCodeableConcept',
      CodeableConceptSchema,
    );
    expect(status?.coding?.[0]?.code).toBe('2');
    expect(findExtension(death?.extension, 'systemEffectiveDate')?.['valueDateTime']).toBe(
      '2010-10-22T00:00:00+00:00',
    );
  });

  it('is lenient about values it does not read, strict about url at any depth', () => {
    expect(ExtensionSchema.safeParse({ url: 'u', valueSomethingNew: { any: ['thing'] } }).success).toBe(true);
    expect(ExtensionSchema.safeParse({ valueString: 'x' }).success).toBe(false);
    expect(
      ExtensionSchema.safeParse({ url: 'u', extension: [{ url: 'v', extension: [{ valueString: 'x' }] }] })
        .success,
    ).toBe(false);
  });

  it('reads a malformed value as absent rather than failing', () => {
    const extension = ExtensionSchema.parse({ url: 'u', valueCodeableConcept: 'not a concept' });
    expect(extensionValue(extension, 'valueCodeableConcept', CodeableConceptSchema)).toBeUndefined();
    expect(extensionValue(undefined, 'valueCodeableConcept', CodeableConceptSchema)).toBeUndefined();
  });
});

describe('OperationOutcomeSchema', () => {
  it('finds OperationOutcomes in the PDS fixtures to check', () => {
    expect(outcomes.length).toBeGreaterThan(10);
  });

  it.each(outcomes.map((f): [string, unknown] => [f.name, f.json]))('parses %s', (_name, json) => {
    const parsed = OperationOutcomeSchema.safeParse(json);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.issue[0]?.severity).toMatch(/^(fatal|error|warning|information)$/);
  });

  it('refuses an outcome with no issue, or another resource', () => {
    expect(OperationOutcomeSchema.safeParse({ resourceType: 'OperationOutcome', issue: [] }).success).toBe(
      false,
    );
    expect(OperationOutcomeSchema.safeParse(fullPatient).success).toBe(false);
  });
});
