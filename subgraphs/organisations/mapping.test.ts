// ODS payloads -> canonical organisations, over every real ODS example copied into
// sandbox/fixtures/ods/ (provenance in sandbox/fixtures/PROVENANCE.md): the implementation guide's
// XML examples, converted as the sandbox converts them, and the JSON examples in the ODT
// specification. The tables are driven by the directory listing, so an example added there fails
// here until it is given an expectation.
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fhirXmlToJson } from '../../sandbox/ods/fhir-xml.js';
import {
  OdsOrganizationAffiliationSchema,
  OdsOrganizationSchema,
  parseOdsOperationOutcome,
  parseOdsOrganization,
  parseOdsSearchBundle,
} from './fhir.js';
import {
  checkOdsCode,
  toOdsSearchParams,
  toOrganisationRecord,
  toRelationship,
  toUpstreamError,
} from './mapping.js';
import { primaryRoleCode } from './primary-role.js';

const EXAMPLES = new URL(
  '../../sandbox/fixtures/ods/NHSEnglandProgrammeImplementationGuides/backup/examples/',
  import.meta.url,
);
const SPEC = new URL(
  '../../sandbox/fixtures/ods/specification/organisation-data-terminology-api.yaml',
  import.meta.url,
);
const RETRIEVED_AT = '2026-01-15T09:30:00.000Z';

const example = (file: string): unknown => fhirXmlToJson(readFileSync(new URL(file, EXAMPLES), 'utf8'));
const files = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.xml'))
  .sort();
const byKind = (kind: string) => files.filter((file) => file.startsWith(`ODS-${kind}-`));

function organisation(json: unknown) {
  const parsed = parseOdsOrganization(json);
  if (!parsed.success) throw new Error(parsed.issues.join('; '));
  return toOrganisationRecord(parsed.data, { retrievedAt: RETRIEVED_AT });
}

const codeOf = (error: { extensions: Record<string, unknown> }) => error.extensions['code'];

function thrownBy(run: () => unknown): { extensions?: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    return error as { extensions?: Record<string, unknown> };
  }
  throw new Error('expected an error');
}

describe('the copied examples', () => {
  it('are all covered by a table below', () => {
    const covered = [
      ...Object.keys(ORGANISATIONS),
      ...Object.keys(AFFILIATIONS),
      ...Object.keys(BUNDLES),
      ...Object.keys(OUTCOMES),
    ].sort();
    expect(covered).toEqual(files);
  });
});

// ---------------------------------------------------------------------------------------------
// Organization

const ORGANISATIONS: Record<
  string,
  {
    odsCode: string;
    name: string;
    active: boolean;
    roles: string[];
    primary: string;
    postcode: string;
    changed: string;
  }
> = {
  'ODS-Organization-4VE03-Example.xml': {
    odsCode: '4VE03',
    name: 'HIGH WEALD PCG',
    active: false,
    roles: ['RO171'],
    primary: 'RO171',
    postcode: 'TN22 1SL',
    changed: '2014-04-15',
  },
  'ODS-Organization-FCE71-Example.xml': {
    odsCode: 'FCE71',
    name: 'LLOYDS PHARMACY',
    active: false,
    roles: ['RO182'],
    primary: 'RO182',
    postcode: 'WS1 1SY',
    changed: '2024-01-15',
  },
  'ODS-Organization-FDC49-Example.xml': {
    odsCode: 'FDC49',
    name: 'ATOS MEDICAL',
    active: true,
    roles: ['RO94'],
    primary: 'RO94',
    postcode: 'S71 3GN',
    changed: '2020-09-24',
  },
  'ODS-Organization-G81086-Example.xml': {
    odsCode: 'G81086',
    name: 'BIRD-IN-EYE SURGERY',
    active: true,
    roles: ['RO177', 'RO76'],
    primary: 'RO177',
    postcode: 'TN22 5AW',
    changed: '2023-08-22',
  },
  'ODS-Organization-Q72-Example.xml': {
    odsCode: 'Q72',
    name: 'NHS ENGLAND NORTH EAST AND YORKSHIRE (YORKSHIRE AND HUMBER)',
    active: true,
    roles: ['RO210'],
    primary: 'RO210',
    postcode: 'LS11 5BD',
    changed: '2020-09-30',
  },
};

describe('Organization -> Organisation', () => {
  it.each(byKind('Organization'))('%s', (file) => {
    const expected = ORGANISATIONS[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const record = organisation(example(file));
    expect(record).toMatchObject({
      odsCode: expected.odsCode,
      name: expected.name,
      active: expected.active,
      lastChangeDate: expected.changed,
      address: { postcode: expected.postcode },
      provenance: { source: 'ODS', retrievedAt: RETRIEVED_AT, stale: false },
    });
    expect(record.roles.map((role) => role.code)).toEqual(expected.roles);
    expect(record.roles.filter((role) => role.primary).map((role) => role.code)).toEqual([expected.primary]);
  });

  it('maps G81086 in full: roles as unmapped Concepts with typed periods, address, contact', () => {
    const record = organisation(example('ODS-Organization-G81086-Example.xml'));
    expect(record.roles).toEqual([
      {
        code: 'RO177',
        display: 'PRESCRIBING COST CENTRE',
        concept: {
          code: null,
          display: 'PRESCRIBING COST CENTRE',
          mapped: false,
          codings: [
            {
              system:
                'https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole',
              code: 'RO177',
              display: 'PRESCRIBING COST CENTRE',
            },
          ],
        },
        primary: true,
        active: true,
        period: { start: '1974-04-01', end: null },
        operationalPeriod: { start: '1974-04-01', end: null },
      },
      expect.objectContaining({ code: 'RO76', display: 'GP PRACTICE', primary: false, active: true }),
    ]);
    expect(record.address).toEqual({
      lines: ['UCKFIELD COMMUNITY HOSPITAL', 'FRAMFIELD ROAD'],
      city: 'UCKFIELD',
      district: 'EAST SUSSEX',
      postcode: 'TN22 5AW',
      country: 'ENGLAND',
    });
    expect(record.contact).toEqual([{ system: 'PHONE', value: '01825 763196' }]);
  });

  it('keeps a role that has ended, with its end date and active false (FCE71, closed pharmacy)', () => {
    const [role] = organisation(example('ODS-Organization-FCE71-Example.xml')).roles;
    expect(role).toMatchObject({ active: false, period: { start: '1948-01-01', end: '2023-04-23' } });
  });

  it('keeps Legal and Operational periods apart when they differ (Q72)', () => {
    const [role] = organisation(example('ODS-Organization-Q72-Example.xml')).roles;
    expect(role).toMatchObject({
      period: { start: '2015-04-01', end: '2020-03-31' },
      operationalPeriod: { start: '2015-01-16', end: null },
    });
  });

  it.each([
    ['no ODS code identifier', (o: Record<string, unknown>) => ({ ...o, identifier: [] })],
    ['no name', ({ name: _name, ...o }: Record<string, unknown>) => o],
    ['another resource type', (o: Record<string, unknown>) => ({ ...o, resourceType: 'Location' })],
    [
      'a role without a role code',
      (o: Record<string, unknown>) => ({
        ...o,
        extension: [
          {
            url: 'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-OrganisationRole',
            extension: [{ url: 'active', valueBoolean: true }],
          },
        ],
      }),
    ],
  ])('refuses an Organization with %s', (_case, change) => {
    const json = change(example('ODS-Organization-G81086-Example.xml') as Record<string, unknown>);
    expect(parseOdsOrganization(json).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// OrganizationAffiliation

const AFFILIATIONS: Record<
  string,
  { code: string; display: string; target: string; start: string; end: string }
> = {
  'ODS-OrganizationAffiliation-256248-Example.xml': {
    code: 'RE4',
    display: 'IS COMMISSIONED BY',
    target: '4VE03',
    start: '1999-04-01',
    end: '2002-03-31',
  },
  'ODS-OrganizationAffiliation-383689-Example.xml': {
    code: 'RE5',
    display: 'IS LOCATED IN THE GEOGRAPHY OF',
    target: 'Q72',
    start: '2015-05-11',
    end: '2020-03-31',
  },
};

describe('OrganizationAffiliation -> relationship', () => {
  it.each(byKind('OrganizationAffiliation'))('%s', (file) => {
    const expected = AFFILIATIONS[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const relationship = toRelationship(OdsOrganizationAffiliationSchema.parse(example(file)), {
      retrievedAt: RETRIEVED_AT,
    });
    expect(relationship).toMatchObject({
      code: expected.code,
      display: expected.display,
      concept: { code: null, mapped: false, display: expected.display },
      targetOdsCode: expected.target,
      active: false,
      period: { start: expected.start, end: expected.end },
      operationalPeriod: { start: expected.start, end: expected.end },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// searchset Bundles

const BUNDLES: Record<string, { resourceType: string; total: number; matches: string[]; included: number }> =
  {
    'ODS-Bundle-LastChangeDateSearchResults-Example.xml': {
      resourceType: 'Organization',
      total: 2,
      matches: ['FCE71', 'G81086'],
      included: 0,
    },
    'ODS-Bundle-NoOrganisationSearchResults-Example.xml': {
      resourceType: 'Organization',
      total: 0,
      matches: [],
      included: 0,
    },
    'ODS-Bundle-NoRelationshipSearchResults-Example.xml': {
      resourceType: 'OrganizationAffiliation',
      total: 0,
      matches: [],
      included: 0,
    },
    'ODS-Bundle-ParticipatingOrganizationSearchResults-Example.xml': {
      resourceType: 'OrganizationAffiliation',
      total: 1,
      matches: ['4VE03'],
      included: 0,
    },
    // `_include` adds the participating Organization (search mode `include`), not a match.
    'ODS-Bundle-includeSearchResults-Example.xml': {
      resourceType: 'OrganizationAffiliation',
      total: 2,
      matches: ['Q72'],
      included: 1,
    },
  };

describe('searchset Bundles', () => {
  it.each(byKind('Bundle'))('%s', (file) => {
    const expected = BUNDLES[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const json = example(file);
    if (expected.resourceType === 'Organization') {
      const parsed = parseOdsSearchBundle(json, 'Organization', OdsOrganizationSchema);
      if (!parsed.success) throw new Error(parsed.issues.join('; '));
      expect(parsed.data.total).toBe(expected.total);
      const records = parsed.data.matches.map((o) => toOrganisationRecord(o, { retrievedAt: RETRIEVED_AT }));
      expect(records.map((record) => record.odsCode)).toEqual(expected.matches);
      return;
    }
    const parsed = parseOdsSearchBundle(json, 'OrganizationAffiliation', OdsOrganizationAffiliationSchema);
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    expect(parsed.data.total).toBe(expected.total);
    const targets = parsed.data.matches.map(
      (a) => toRelationship(a, { retrievedAt: RETRIEVED_AT }).targetOdsCode,
    );
    expect(targets).toEqual(expected.matches);
    expect(parsed.data.included).toHaveLength(expected.included);
  });

  it('refuses a Bundle whose match entries are another resource type', () => {
    const json = example('ODS-Bundle-LastChangeDateSearchResults-Example.xml');
    expect(
      parseOdsSearchBundle(json, 'OrganizationAffiliation', OdsOrganizationAffiliationSchema).success,
    ).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// OperationOutcome -> graph errors. HTTP statuses from the IG's Build/Error-handling table.

const OUTCOMES: Record<string, { status: number; code: string; upstreamCode?: string }> = {
  'ODS-OperationOutcome-InvalidID-Example.xml': { status: 404, code: 'NOT_FOUND', upstreamCode: 'HAPI-2001' },
  'ODS-OperationOutcome-UnknownSearchParameter-Example.xml': {
    status: 400,
    code: 'UPSTREAM_REJECTED',
    upstreamCode: 'HAPI-0524',
  },
  'ODS-OperationOutcome-InvalidFormat-Example.xml': {
    status: 400,
    code: 'UPSTREAM_REJECTED',
    upstreamCode: 'HAPI-1940',
  },
  'ODS-OperationOutcome-MethodNotAllowed-Example.xml': {
    status: 405,
    code: 'UPSTREAM_REJECTED',
    upstreamCode: 'HAPI-0427',
  },
  'ODS-OperationOutcome-TooCostly-Example.xml': { status: 422, code: 'TOO_MANY_MATCHES' },
  'ODS-OperationOutcome-NoDeclaredFilter-Example.xml': { status: 422, code: 'UPSTREAM_REJECTED' },
};

describe('OperationOutcome -> error code', () => {
  it.each(byKind('OperationOutcome'))('%s', (file) => {
    const expected = OUTCOMES[file];
    if (expected === undefined) throw new Error(`no expectation for ${file}`);
    const parsed = parseOdsOperationOutcome(example(file));
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    const error = toUpstreamError(expected.status, parsed.data);
    expect(error.extensions).toEqual({
      code: expected.code,
      service: 'ODS',
      ...(expected.upstreamCode ? { upstreamCode: expected.upstreamCode } : {}),
    });
    // HAPI's diagnostics (resource ids, parameter lists) never reach a client.
    expect(error.message).not.toMatch(/HAPI|83632648493|INVALID|expansion/);
  });

  it.each([
    [429, 'RATE_LIMITED', { retryAfter: 30 }],
    [503, 'UPSTREAM_UNAVAILABLE', { retryAfter: 30 }],
    [408, 'UPSTREAM_UNAVAILABLE', { retryAfter: 30 }],
    [401, 'UPSTREAM_REJECTED', {}],
    [403, 'UPSTREAM_REJECTED', {}],
    // A 404 without HAPI-2001 may be a gateway answering a wrong path: not "no such organisation".
    [404, 'UPSTREAM_REJECTED', {}],
    // A 200 that is neither the resource nor an error.
    [200, 'UPSTREAM_INVALID_RESPONSE', {}],
  ])('maps status %d without an OperationOutcome to %s', (status, code, extra) => {
    expect(toUpstreamError(status, null, 30).extensions).toEqual({ code, service: 'ODS', ...extra });
  });

  it('does not call a HAPI-2001 on a status other than 404 "not found"', () => {
    const parsed = parseOdsOperationOutcome(example('ODS-OperationOutcome-InvalidID-Example.xml'));
    if (!parsed.success) throw new Error('unparsed');
    expect(codeOf(toUpstreamError(400, parsed.data))).toBe('UPSTREAM_REJECTED');
    expect(codeOf(toUpstreamError(500, parsed.data))).toBe('UPSTREAM_UNAVAILABLE');
  });
});

// ---------------------------------------------------------------------------------------------
// The ODT specification's own JSON examples (what the live API sends).

const spec = parseYaml(readFileSync(SPEC, 'utf8')) as {
  paths: Record<
    string,
    { get?: { responses: Record<string, { content?: Record<string, { example?: unknown }> }> } }
  >;
};
const specExample = (path: string, status: string, type = 'application/fhir+json') =>
  spec.paths[path]?.get?.responses[status]?.content?.[type]?.example;

describe('the ODT specification examples', () => {
  it('maps GET /Organization/RR8', () => {
    const record = organisation(specExample('/Organization/{id}', '200'));
    expect(record).toMatchObject({
      odsCode: 'RR8',
      name: 'LEEDS TEACHING HOSPITALS NHS TRUST',
      active: true,
      // The specification names RO197 NHS TRUST as a primary role.
      roles: [expect.objectContaining({ code: 'RO197', primary: true })],
      contact: [
        { system: 'PHONE', value: '0113 243 3144' },
        { system: 'URL', value: 'HTTPS://WWW.LEEDSTH.NHS.UK/' },
      ],
      address: { postcode: 'LS9 7TF', city: 'LEEDS' },
      lastChangeDate: '2023-11-14',
    });
  });

  it('maps the GET /Organization searchset', () => {
    const parsed = parseOdsSearchBundle(
      specExample('/Organization', '200'),
      'Organization',
      OdsOrganizationSchema,
    );
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    const records = parsed.data.matches.map((o) => toOrganisationRecord(o, { retrievedAt: RETRIEVED_AT }));
    expect(records.map((r) => [r.odsCode, r.roles.find((role) => role.primary)?.code])).toEqual([
      ['AQN', 'RO172'],
      ['C4O9I', 'RO181'],
    ]);
  });

  it('maps GET /OrganizationAffiliation/{id} and its searchset', () => {
    const single = OdsOrganizationAffiliationSchema.parse(
      specExample('/OrganizationAffiliation/{id}', '200'),
    );
    expect(toRelationship(single, { retrievedAt: RETRIEVED_AT })).toMatchObject({
      code: expect.stringMatching(/^RE/),
    });
    const bundle = parseOdsSearchBundle(
      specExample('/OrganizationAffiliation', '200'),
      'OrganizationAffiliation',
      OdsOrganizationAffiliationSchema,
    );
    expect(bundle.success).toBe(true);
  });

  it.each([
    ['/Organization/{id}', '404', 404, 'NOT_FOUND', 'HAPI-2001'],
    ['/OrganizationAffiliation/{id}', '404', 404, 'NOT_FOUND', 'HAPI-2001'],
    ['/Organization', '4XX', 400, 'UPSTREAM_REJECTED', 'HAPI-0524'],
  ])('maps the %s %s OperationOutcome', (path, status, httpStatus, code, upstreamCode) => {
    const parsed = parseOdsOperationOutcome(specExample(path, status));
    if (!parsed.success) throw new Error(parsed.issues.join('; '));
    expect(toUpstreamError(httpStatus, parsed.data).extensions).toEqual({
      code,
      service: 'ODS',
      upstreamCode,
    });
  });

  it('maps the /OrganizationAffiliation 4XX example, whose `details.coding` is not a list, by its status', () => {
    // Spine-style INVALID_PARAMETER ("Unknown argument found - nam"), published with `coding` as
    // an object: not a valid OperationOutcome, so only the status speaks, and a 400 is our request.
    const parsed = parseOdsOperationOutcome(specExample('/OrganizationAffiliation', '4XX'));
    expect(parsed.success).toBe(false);
    expect(toUpstreamError(400, null).extensions).toEqual({ code: 'UPSTREAM_REJECTED', service: 'ODS' });
  });
});

// ---------------------------------------------------------------------------------------------
// Inputs

describe('checkOdsCode', () => {
  it.each(['G81086', 'RR8', 'Q72', '4VE03', 'Y12345', 'ABCDE12345'])('accepts %s', (code) => {
    expect(checkOdsCode(code)).toBe(code);
  });

  it.each(['g81086', 'RR', '83632648493', 'G81 086', '', 'G81086;', '../x'])(
    'refuses %j naming the argument',
    (code) => {
      expect(thrownBy(() => checkOdsCode(code)).extensions).toEqual({
        code: 'BAD_USER_INPUT',
        argument: 'odsCode',
      });
    },
  );
});

describe('toOdsSearchParams', () => {
  it('sends the ODT parameter names, with a default page of 20', () => {
    expect(toOdsSearchParams({ name: 'Bird', postcode: 'TN22', role: 'RO76' }).toString()).toBe(
      'name=Bird&address-postalcode=TN22&roleCode=RO76&_count=20',
    );
  });

  it('accepts an apostrophe in a name (ST. JAMES’S)', () => {
    expect(toOdsSearchParams({ name: "St. James's" }).get('name')).toBe("St. James's");
  });

  it.each([
    [{}, undefined],
    [{ name: '  ' }, undefined],
    [{ name: 'Le' }, 'name'],
    [{ name: 'Leeds<script>' }, 'name'],
    [{ postcode: 'L' }, 'postcode'],
    [{ postcode: 'LS1;' }, 'postcode'],
    [{ role: 'GP' }, 'role'],
    [{ role: 'RO76', limit: 0 }, 'limit'],
    [{ role: 'RO76', limit: 101 }, 'limit'],
  ])('refuses %j with BAD_USER_INPUT', (criteria, argument) => {
    expect(thrownBy(() => toOdsSearchParams(criteria)).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      ...(argument ? { argument } : {}),
    });
  });
});

describe('primaryRoleCode', () => {
  it.each([
    [['RO177', 'RO76'], 'RO177'],
    [['RO76', 'RO177'], 'RO177'],
    // Every organisation has one primary role: an only role is it.
    [['RO182'], 'RO182'],
    [['RO182', 'RO182'], 'RO182'],
    // All but one known not to be primary.
    [['RO76', 'RO999'], 'RO999'],
    // Nothing known: no role is claimed to be primary.
    [['RO998', 'RO999'], null],
    [[], null],
  ])('%j -> %s', (codes, expected) => {
    expect(primaryRoleCode(codes)).toBe(expected);
  });
});
