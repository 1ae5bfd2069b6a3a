// FHIR XML -> JSON. The ODT specification publishes some responses in both XML and JSON; the
// converter must turn the XML into exactly the JSON the API sends. Then the rules one by one.
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fhirXmlToJson, FhirXmlError } from './fhir-xml.js';

const SPEC = new URL('../fixtures/ods/specification/organisation-data-terminology-api.yaml', import.meta.url);
const EXAMPLES = new URL(
  '../fixtures/ods/NHSEnglandProgrammeImplementationGuides/backup/examples/',
  import.meta.url,
);

type Content = Record<string, { example?: unknown }>;
const spec = parseYaml(readFileSync(SPEC, 'utf8')) as {
  paths: Record<string, { get: { responses: Record<string, { content: Content }> } }>;
};
const content = (path: string) => spec.paths[path]?.get.responses['200']?.content ?? {};

describe('the ODT specification’s paired XML and JSON examples', () => {
  it.each([
    ['/Organization/{id}', 'application/xml'],
    ['/OrganizationAffiliation/{id}', 'application/xml'],
  ])('GET %s: the XML converts to the published JSON, exactly', (path, xmlType) => {
    const examples = content(path);
    expect(fhirXmlToJson(String(examples[xmlType]?.example))).toEqual(
      examples['application/fhir+json']?.example,
    );
  });

  it('GET /Organization: the searchset XML’s resources convert to the JSON’s resources', () => {
    // The two Bundles were captured from separate calls (ids, links and timestamps differ).
    const examples = content('/Organization');
    const fromXml = fhirXmlToJson(String(examples['application/fhir+xml']?.example));
    const json = examples['application/fhir+json']?.example as { entry: Array<{ resource: unknown }> };
    expect((fromXml['entry'] as Array<{ resource: unknown }>).map((e) => e.resource)).toEqual(
      json.entry.map((e) => e.resource),
    );
  });
});

describe('every copied IG example', () => {
  it.each(readdirSync(EXAMPLES).filter((file) => file.endsWith('.xml')))('%s converts', (file) => {
    const json = fhirXmlToJson(readFileSync(new URL(file, EXAMPLES), 'utf8'));
    expect(json['resourceType']).toMatch(/^(Organization|OrganizationAffiliation|Bundle|OperationOutcome)$/);
  });
});

const wrap = (body: string) => `<Organization xmlns="http://hl7.org/fhir">${body}</Organization>`;

describe('the FHIR XML -> JSON rules', () => {
  it('reads a primitive from its value attribute, typed: booleans and integers are JSON values', () => {
    expect(
      fhirXmlToJson(
        wrap(
          '<id value="X1"/><extension url="u"><valueInteger value="42"/></extension><active value="false"/><name value="A &amp; B"/>',
        ),
      ),
    ).toEqual({
      resourceType: 'Organization',
      id: 'X1',
      extension: [{ url: 'u', valueInteger: 42 }],
      active: false,
      name: 'A & B',
    });
  });

  it('makes a repeatable element an array even when it occurs once, and a single one never', () => {
    const json = fhirXmlToJson(wrap('<address><line value="1 HIGH STREET"/><city value="LEEDS"/></address>'));
    expect(json['address']).toEqual([{ line: ['1 HIGH STREET'], city: 'LEEDS' }]);
  });

  it('keeps repeated elements in document order', () => {
    const json = fhirXmlToJson(
      wrap('<telecom><value value="1"/></telecom><telecom><value value="2"/></telecom>'),
    );
    expect(json['telecom']).toEqual([{ value: '1' }, { value: '2' }]);
  });

  it('turns a contained resource into an object with its resourceType', () => {
    const json = fhirXmlToJson(
      '<Bundle xmlns="http://hl7.org/fhir"><type value="searchset"/><total value="1"/><entry><resource>' +
        wrap('<id value="Q72"/>') +
        '</resource></entry></Bundle>',
    );
    expect(json).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 1,
      entry: [{ resource: { resourceType: 'Organization', id: 'Q72' } }],
    });
  });

  it.each([
    ['an element with no definition', wrap('<colour value="blue"/>')],
    ['a single element repeated', wrap('<name value="A"/><name value="B"/>')],
    ['a boolean that is not one', wrap('<active value="yes"/>')],
    ['an integer that is not one', wrap('<extension url="u"><valueInteger value="x"/></extension>')],
    ['a primitive with an extension', wrap('<name value="A"><extension url="u"/></name>')],
    ['a resource outside the FHIR namespace', '<Organization><id value="X"/></Organization>'],
    ['an unknown resource type', '<Patient xmlns="http://hl7.org/fhir"/>'],
  ])('refuses %s rather than guess', (_case, xml) => {
    expect(() => fhirXmlToJson(xml)).toThrow(FhirXmlError);
  });
});
