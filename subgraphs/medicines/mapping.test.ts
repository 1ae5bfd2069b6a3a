// Terminology server payloads -> canonical medicines, over every dm+d concept the sandbox serves:
// the published NHSBSA extract (sandbox/fixtures/dmd/, provenance in sandbox/fixtures/PROVENANCE.md)
// and the medicines derived from the GP Connect fixtures, each rendered as the $lookup answer the
// sandbox sends. Pure: no server, no network.
import { lookupParameters } from '../../sandbox/dmd/operations.js';
import { loadDmdRelease, PRODUCT_CLASSES, type DmdConcept } from '../../sandbox/dmd/release.js';
import { parseDmdLookup, parseExpansion, type DmdLookup } from './fhir.js';
import {
  checkMedicineCode,
  checkMedicineSystem,
  expansionCodes,
  isMedicineCode,
  lookupBatch,
  toExpandParams,
  toMedicineRecord,
  toUpstreamError,
} from './mapping.js';
import type { MedicineRecord } from './model.js';

const release = loadDmdRelease();
const RETRIEVED_AT = '2026-01-15T09:30:00.000Z';
const DMD = 'https://dmd.nhs.uk';
const SNOMED = 'http://snomed.info/sct';

const products = [...release.concepts.values()].filter((concept) =>
  (PRODUCT_CLASSES as readonly string[]).includes(concept.class),
);
const lookupOf = (concept: DmdConcept): DmdLookup => {
  const parsed = parseDmdLookup(lookupParameters(release, concept, ['*']));
  if (!parsed.success) throw new Error(`${concept.code}: ${parsed.issues.join(', ')}`);
  return parsed.data;
};
const recordOf = (code: string): MedicineRecord => {
  const concept = release.concepts.get(code);
  if (concept === undefined) throw new Error(`no concept ${code}`);
  const record = toMedicineRecord(lookupOf(concept), { code, retrievedAt: RETRIEVED_AT });
  if (record === null) throw new Error(`${code} is not a medicine`);
  return record;
};
const dmdConcept = (code: string, display: string) => ({
  code,
  display,
  codings: [{ system: DMD, code, display }],
  mapped: true,
});
function thrownBy(run: () => unknown): { extensions?: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    return error as { extensions?: Record<string, unknown> };
  }
  throw new Error('expected an error');
}
const lookupValue = (table: string, code: string, display: string) => ({
  code: null,
  display,
  codings: [{ system: `${DMD}/lookup/${table}`, code, display }],
  mapped: false,
});

describe('every medicine the sandbox serves', () => {
  it('covers the whole extract and the derived GP Connect medicines', () => {
    expect(products.map((concept) => `${concept.class} ${concept.code}`).sort()).toEqual(
      [
        'VTM 34186711000001102',
        'VMP 318135008',
        'VMP 318136009',
        'AMP 38847311000001102',
        'AMP 37706811000001108',
        'AMP 37365811000001102',
        'VMPP 1245011000001108',
        'VMPP 8967511000001109',
        'AMPP 37365911000001107',
        'AMPP 8968011000001101',
        'VMP 323509004',
        'VMP 319773006',
        'VMP 317971007',
      ].sort(),
    );
  });

  it.each(products.map((concept) => [concept.class, concept.code, concept] as const))(
    '%s %s maps to a Medicine of its kind, name, links and release',
    (_kind, code, concept) => {
      const record = recordOf(code);
      expect(record).toMatchObject({
        code,
        kind: concept.class,
        name: concept.display,
        invalid: concept.inactive,
        release: '2021-08-26',
        provenance: { source: 'dm+d', retrievedAt: RETRIEVED_AT, stale: false },
        concept: {
          code,
          display: concept.display,
          codings: [
            { system: DMD, code, display: concept.display },
            { system: SNOMED, code, display: concept.display },
          ],
          mapped: true,
        },
      });
      const links = record.links;
      expect([links.vtm, links.vmp, links.amp, links.vmpp].filter(Boolean).sort()).toEqual(
        [...concept.parents].sort(),
      );
      expect(links.children.sort()).toEqual([...concept.children].sort());
      expect(isMedicineCode(code)).toBe(true);
    },
  );
});

describe('the co-amilofruse chain (VTM -> VMP -> AMP -> AMPP)', () => {
  it('maps the VTM with its VMPs as products', () => {
    expect(recordOf('34186711000001102')).toMatchObject({
      kind: 'VTM',
      name: 'Co-amilofruse',
      ingredients: [],
      form: null,
      links: { vtm: null, vmp: null, children: expect.arrayContaining(['318135008', '318136009']) },
    });
  });

  it('maps the VMP: ingredients with strengths, form, route, controlled drug and prescribing status', () => {
    const vmp = recordOf('318136009');
    expect(vmp).toMatchObject({
      kind: 'VMP',
      name: 'Co-amilofruse 5mg/40mg tablets',
      description: null,
      form: dmdConcept('385055001', 'Tablet'),
      routes: [dmdConcept('26643006', 'Oral')],
      controlledDrug: lookupValue('CONTROL_DRUG_CATEGORY', '0000', 'No Controlled Drug Status'),
      prescribingStatus: lookupValue(
        'VIRTUAL_PRODUCT_PRES_STATUS',
        '0001',
        'Valid as a prescribable product',
      ),
      availability: null,
      supplier: null,
      links: { vtm: '34186711000001102', vmp: null, amp: null, vmpp: null },
    });
    expect(vmp.ingredients).toEqual([
      {
        substance: dmdConcept('387516008', 'Amiloride hydrochloride'),
        basisOfStrength: lookupValue('BASIS_OF_STRNTH', '0001', 'Based on Ingredient Substance'),
        basisSubstance: null,
        strength: {
          numerator: { value: 5, unit: dmdConcept('258684004', 'mg') },
          denominator: null,
          text: '5 mg',
        },
      },
      {
        substance: dmdConcept('387475002', 'Furosemide'),
        basisOfStrength: lookupValue('BASIS_OF_STRNTH', '0001', 'Based on Ingredient Substance'),
        basisSubstance: null,
        strength: {
          numerator: { value: 40, unit: dmdConcept('258684004', 'mg') },
          denominator: null,
          text: '40 mg',
        },
      },
    ]);
  });

  it('maps a VMP the extract gives no ingredients, form or route as empty, not wrong', () => {
    expect(recordOf('318135008')).toMatchObject({
      ingredients: [],
      form: null,
      routes: [],
      controlledDrug: null,
    });
  });

  it('maps an AMP: supplier, availability restriction, excipients, licensed route, description', () => {
    expect(recordOf('37365811000001102')).toMatchObject({
      kind: 'AMP',
      name: 'Co-amilofruse 5mg/40mg tablets',
      description: 'Co-amilofruse 5mg/40mg tablets (Mawdsley-Brooks & Company Ltd)',
      supplier: dmdConcept('15125811000001100', 'Mawdsley-Brooks & Company Ltd'),
      availability: lookupValue('AVAILABILITY_RESTRICTION', '0009', 'Not available'),
      excipients: [
        dmdConcept('13668001', 'Propylene glycol'),
        dmdConcept('228104004', 'Butylated hydroxyanisole'),
      ],
      licensedRoutes: [dmdConcept('26643006', 'Oral')],
      routes: [],
      ingredients: [],
      links: { vmp: '318136009', children: ['37365911000001107', '8968011000001101'] },
    });
    expect(recordOf('37706811000001108')).toMatchObject({
      supplier: dmdConcept('24059811000001102', 'CST Pharma Ltd'),
      availability: lookupValue('AVAILABILITY_RESTRICTION', '0001', 'None'),
      excipients: [],
    });
  });

  it('maps an AMPP: legal category and both parents (its AMP and its VMPP)', () => {
    expect(recordOf('37365911000001107')).toMatchObject({
      kind: 'AMPP',
      legalCategory: lookupValue('LEGAL_CATEGORY', '0003', 'POM'),
      supplier: null,
      links: { amp: '37365811000001102', vmpp: '1245011000001108', vmp: null, vtm: null },
    });
  });

  it('maps a VMPP to its VMP', () => {
    expect(recordOf('1245011000001108')).toMatchObject({ kind: 'VMPP', links: { vmp: '318136009' } });
  });
});

describe('derived medicines (GP Connect codes the extract lacks)', () => {
  it.each([
    ['323509004', 'Amoxicillin 250mg capsules'],
    ['319773006', 'Aspirin 75mg dispersible tablets'],
    ['317971007', 'Furosemide 20mg tablets'],
  ])('%s is a VMP named as GP Connect names it, with nothing invented', (code, name) => {
    expect(recordOf(code)).toMatchObject({
      kind: 'VMP',
      name,
      ingredients: [],
      form: null,
      routes: [],
      links: { vtm: null, children: [] },
    });
  });
});

describe('toMedicineRecord on what is not a medicine, or not quite as the sandbox sends it', () => {
  it('answers null for dm+d lookup concepts (routes, forms, units, suppliers, ingredients)', () => {
    for (const code of ['26643006', '385055001', '258684004', '15125811000001100', '387475002']) {
      const concept = release.concepts.get(code);
      expect(concept).toBeDefined();
      expect(
        toMedicineRecord(lookupOf(concept as DmdConcept), { code, retrievedAt: RETRIEVED_AT }),
      ).toBeNull();
    }
  });

  it('reads a subproperty value part named by its type (valueDecimal), as Ontoserver has been seen to send', () => {
    const payload = lookupParameters(release, release.concepts.get('318136009') as DmdConcept, ['*']) as {
      parameter: Array<{
        name: string;
        part?: Array<{ name: string; part?: Array<Record<string, unknown>> }>;
      }>;
    };
    for (const property of payload.parameter) {
      for (const part of property.part ?? []) {
        if (part.name !== 'subproperty') continue;
        for (const sub of part.part ?? []) {
          if (sub['name'] === 'value')
            sub['name'] = Object.keys(sub).find((key) => key.startsWith('value')) ?? 'value';
        }
      }
    }
    const parsed = parseDmdLookup(payload);
    expect(parsed.success).toBe(true);
    const record = parsed.success
      ? toMedicineRecord(parsed.data, { code: '318136009', retrievedAt: RETRIEVED_AT })
      : null;
    expect(record?.ingredients.map((i) => i.strength?.text)).toEqual(['5 mg', '40 mg']);
  });

  it('reads a strength per an amount of the product (numerator over denominator)', () => {
    const parsed = parseDmdLookup({
      resourceType: 'Parameters',
      parameter: [
        { name: 'display', valueString: 'Example 5mg/5ml oral solution' },
        {
          name: 'property',
          part: [
            { name: 'code', valueCode: 'parent' },
            { name: 'value', valueCode: 'VMP' },
          ],
        },
        {
          name: 'property',
          part: [
            { name: 'code', valueCode: 'VPI' },
            {
              name: 'subproperty',
              part: [
                { name: 'code', valueCode: 'ISID' },
                { name: 'value', valueCoding: { system: DMD, code: '387475002', display: 'Furosemide' } },
              ],
            },
            {
              name: 'subproperty',
              part: [
                { name: 'code', valueCode: 'STRNT_NMRTR_VAL' },
                { name: 'value', valueDecimal: 5 },
              ],
            },
            {
              name: 'subproperty',
              part: [
                { name: 'code', valueCode: 'STRNT_NMRTR_UOMCD' },
                { name: 'value', valueCoding: { system: DMD, code: '258684004', display: 'mg' } },
              ],
            },
            {
              name: 'subproperty',
              part: [
                { name: 'code', valueCode: 'STRNT_DNMTR_VAL' },
                { name: 'value', valueDecimal: 1 },
              ],
            },
            {
              name: 'subproperty',
              part: [
                { name: 'code', valueCode: 'STRNT_DNMTR_UOMCD' },
                { name: 'value', valueCoding: { system: DMD, code: '258773002', display: 'ml' } },
              ],
            },
          ],
        },
      ],
    });
    expect(parsed.success).toBe(true);
    const record = parsed.success
      ? toMedicineRecord(parsed.data, { code: '111111111', retrievedAt: RETRIEVED_AT })
      : null;
    expect(record?.ingredients[0]?.strength?.text).toBe('5 mg/1 ml');
    expect(record?.release).toBeNull();
  });

  it('refuses a $lookup answer without a display', () => {
    expect(
      parseDmdLookup({ resourceType: 'Parameters', parameter: [{ name: 'version', valueString: 'x' }] })
        .success,
    ).toBe(false);
    expect(parseDmdLookup({ resourceType: 'OperationOutcome', issue: [] }).success).toBe(false);
  });
});

describe('checkMedicineCode', () => {
  it.each(['318136009', '34186711000001102', '323509004', '100000'])('accepts %s', (code) => {
    expect(checkMedicineCode(code)).toBe(code);
  });

  it.each([
    ['letters', '31813600X'],
    ['too short', '12345'],
    ['too long', '1234567890123456789'],
    ['a leading zero', '0318136009'],
    ['spaces', '318 136 009'],
    ['a SNOMED CT description id (GP Connect DescriptionID)', '56966201000001112'],
    ['a short description id', '462888013'],
  ])('refuses %s with BAD_USER_INPUT naming the argument', (_case, code) => {
    expect(thrownBy(() => checkMedicineCode(code, 'code')).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'code',
    });
  });

  it('accepts only the two systems dm+d codes are written under', () => {
    expect(checkMedicineSystem(DMD)).toBe(DMD);
    expect(checkMedicineSystem(SNOMED)).toBe(SNOMED);
    expect(
      thrownBy(() => checkMedicineSystem('https://fhir.hl7.org.uk/Id/emis-drug-codes')).extensions,
    ).toEqual({ code: 'BAD_USER_INPUT', argument: 'system' });
  });
});

describe('what is asked of the terminology server', () => {
  it('asks for many codes as one batch Bundle of $lookup reads, in order', () => {
    expect(lookupBatch(['318136009', '323509004'])).toEqual({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        {
          request: {
            method: 'GET',
            url: 'CodeSystem/$lookup?system=https%3A%2F%2Fdmd.nhs.uk&code=318136009&property=*',
          },
        },
        {
          request: {
            method: 'GET',
            url: 'CodeSystem/$lookup?system=https%3A%2F%2Fdmd.nhs.uk&code=323509004&property=*',
          },
        },
      ],
    });
  });

  it('searches every concept by default, one class when a kind is given, valid concepts only', () => {
    expect(toExpandParams({ name: '  co-amil   5mg ' }).toString()).toBe(
      'url=https%3A%2F%2Fdmd.nhs.uk%3Ffhir_vs&filter=co-amil+5mg&count=20&activeOnly=true',
    );
    expect(Object.fromEntries(toExpandParams({ name: 'furosemide', kind: 'VMP', first: 5 }))).toEqual({
      url: 'https://dmd.nhs.uk/ValueSet/VMP',
      filter: 'furosemide',
      count: '5',
      activeOnly: 'true',
    });
  });

  it.each([
    ['a one-letter name', { name: 'a' }, 'name'],
    ['a name with markup', { name: '<script>' }, 'name'],
    ['a name over 100 characters', { name: 'a'.repeat(101) }, 'name'],
    ['first 0', { name: 'aspirin', first: 0 }, 'first'],
    ['first over 50', { name: 'aspirin', first: 51 }, 'first'],
    ['a fractional first', { name: 'aspirin', first: 2.5 }, 'first'],
  ])('refuses %s with BAD_USER_INPUT naming the argument', (_case, criteria, argument) => {
    expect(thrownBy(() => toExpandParams(criteria)).extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
  });

  it('reads the dm+d codes of an expansion, in order, leaving out other systems and inactive codes', () => {
    const expansion = parseExpansion({
      resourceType: 'ValueSet',
      expansion: {
        total: 4,
        contains: [
          { system: DMD, code: '318136009', display: 'Co-amilofruse 5mg/40mg tablets' },
          { system: SNOMED, code: '323509004', display: 'Amoxicillin 250mg capsules' },
          { system: DMD, code: '318135008', inactive: true, display: 'Co-amilofruse 2.5mg/20mg tablets' },
          { system: DMD, code: '34186711000001102', display: 'Co-amilofruse' },
        ],
      },
    });
    expect(expansion.success && expansionCodes(expansion.data)).toEqual(['318136009', '34186711000001102']);
  });
});

describe('toUpstreamError', () => {
  const outcome = (code: string) => ({
    resourceType: 'OperationOutcome' as const,
    issue: [{ severity: 'error', code }],
  });
  it.each([
    [404, outcome('not-found'), 'NOT_FOUND'],
    [404, null, 'UPSTREAM_REJECTED'],
    [400, outcome('invalid'), 'UPSTREAM_REJECTED'],
    [401, null, 'UPSTREAM_REJECTED'],
    [429, null, 'RATE_LIMITED'],
    [503, outcome('transient'), 'UPSTREAM_UNAVAILABLE'],
    [408, null, 'UPSTREAM_UNAVAILABLE'],
    [302, null, 'UPSTREAM_INVALID_RESPONSE'],
  ])('maps %s %j to %s', (status, body, code) => {
    expect(toUpstreamError(status, body).extensions).toEqual({ code, service: 'dm+d' });
  });

  it('passes on Retry-After for a retryable answer only', () => {
    expect(toUpstreamError(503, null, 7).extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      service: 'dm+d',
      retryAfter: 7,
    });
    expect(toUpstreamError(400, null, 7).extensions).toEqual({ code: 'UPSTREAM_REJECTED', service: 'dm+d' });
  });
});
