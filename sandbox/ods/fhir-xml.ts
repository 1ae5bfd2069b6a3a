// FHIR R4 XML -> FHIR JSON, for the ODS implementation-guide examples (published in XML only).
// Follows the R4 rules (http://hl7.org/fhir/R4/xml.html, json.html) for the elements they use:
// - a primitive's `value` attribute becomes the JSON value, typed by its FHIR type (boolean,
//   integer and decimal are JSON numbers and booleans, everything else a string);
// - an element whose definition allows more than one (max `*`) is always a JSON array, even with
//   one occurrence; any other element is a single value;
// - `extension` keeps its `url` attribute as a property; a contained resource (Bundle.entry.resource)
//   becomes an object whose `resourceType` is the XML element name.
// The cardinalities below are copied from the R4 definitions of each element. An element without
// a definition here is an error rather than a guess: a wrong guess would silently change the JSON
// shape (a list where FHIR has one value, or the reverse).
import { XMLParser } from 'fast-xml-parser';

type Max = '1' | '*';
type ElementDefinition = readonly [type: string, max: Max];
type TypeDefinition = Readonly<Record<string, ElementDefinition>>;

const one = (type: string): ElementDefinition => [type, '1'];
const many = (type: string): ElementDefinition => [type, '*'];

// Element (R4 datatypes.html#Element): every complex type may carry extensions.
const ELEMENT: TypeDefinition = { extension: many('Extension') };
const DOMAIN_RESOURCE: TypeDefinition = { id: one('id'), meta: one('Meta'), extension: many('Extension') };

const TYPES: Readonly<Record<string, TypeDefinition>> = {
  Organization: {
    ...DOMAIN_RESOURCE,
    identifier: many('Identifier'),
    active: one('boolean'),
    type: many('CodeableConcept'),
    name: one('string'),
    alias: many('string'),
    telecom: many('ContactPoint'),
    address: many('Address'),
    partOf: one('Reference'),
    endpoint: many('Reference'),
  },
  OrganizationAffiliation: {
    ...DOMAIN_RESOURCE,
    identifier: many('Identifier'),
    active: one('boolean'),
    period: one('Period'),
    organization: one('Reference'),
    participatingOrganization: one('Reference'),
    network: many('Reference'),
    code: many('CodeableConcept'),
    specialty: many('CodeableConcept'),
    telecom: many('ContactPoint'),
    endpoint: many('Reference'),
  },
  OperationOutcome: { ...DOMAIN_RESOURCE, issue: many('OperationOutcomeIssue') },
  OperationOutcomeIssue: {
    ...ELEMENT,
    severity: one('code'),
    code: one('code'),
    details: one('CodeableConcept'),
    diagnostics: one('string'),
    location: many('string'),
    expression: many('string'),
  },
  Bundle: {
    id: one('id'),
    meta: one('Meta'),
    identifier: one('Identifier'),
    type: one('code'),
    timestamp: one('instant'),
    total: one('unsignedInt'),
    link: many('BundleLink'),
    entry: many('BundleEntry'),
  },
  BundleLink: { ...ELEMENT, relation: one('string'), url: one('uri') },
  BundleEntry: {
    ...ELEMENT,
    link: many('BundleLink'),
    fullUrl: one('uri'),
    resource: one('Resource'),
    search: one('BundleEntrySearch'),
  },
  BundleEntrySearch: { ...ELEMENT, mode: one('code'), score: one('decimal') },
  Meta: {
    ...ELEMENT,
    versionId: one('id'),
    lastUpdated: one('instant'),
    source: one('uri'),
    profile: many('canonical'),
    security: many('Coding'),
    tag: many('Coding'),
  },
  Extension: {
    url: one('uri'),
    extension: many('Extension'),
    valueBoolean: one('boolean'),
    valueInteger: one('integer'),
    valueString: one('string'),
    valueCode: one('code'),
    valueDateTime: one('dateTime'),
    valueCoding: one('Coding'),
    valueCodeableConcept: one('CodeableConcept'),
    valuePeriod: one('Period'),
    valueReference: one('Reference'),
    valueIdentifier: one('Identifier'),
  },
  CodeableConcept: { ...ELEMENT, coding: many('Coding'), text: one('string') },
  Coding: {
    ...ELEMENT,
    system: one('uri'),
    version: one('string'),
    code: one('code'),
    display: one('string'),
    userSelected: one('boolean'),
  },
  Period: { ...ELEMENT, start: one('dateTime'), end: one('dateTime') },
  Identifier: {
    ...ELEMENT,
    use: one('code'),
    type: one('CodeableConcept'),
    system: one('uri'),
    value: one('string'),
    period: one('Period'),
    assigner: one('Reference'),
  },
  Reference: {
    ...ELEMENT,
    reference: one('string'),
    type: one('uri'),
    identifier: one('Identifier'),
    display: one('string'),
  },
  Address: {
    ...ELEMENT,
    use: one('code'),
    type: one('code'),
    text: one('string'),
    line: many('string'),
    city: one('string'),
    district: one('string'),
    state: one('string'),
    postalCode: one('string'),
    country: one('string'),
    period: one('Period'),
  },
  ContactPoint: {
    ...ELEMENT,
    system: one('code'),
    value: one('string'),
    use: one('code'),
    rank: one('positiveInt'),
    period: one('Period'),
  },
};

const BOOLEAN_TYPES = new Set(['boolean']);
const NUMBER_TYPES = new Set(['integer', 'unsignedInt', 'positiveInt', 'decimal']);
const PRIMITIVE_TYPES = new Set([
  ...BOOLEAN_TYPES,
  ...NUMBER_TYPES,
  'string',
  'code',
  'id',
  'uri',
  'canonical',
  'dateTime',
  'instant',
  'date',
]);

/** What fast-xml-parser gives for one element: attributes under `@`, children as arrays. */
interface XmlElement {
  '@'?: Record<string, string>;
  '#text'?: string;
  [child: string]: XmlElement[] | Record<string, string> | string | undefined;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  // Every element as a list; FHIR's cardinality, not the document, decides what is a JSON array.
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

export class FhirXmlError extends Error {
  override name = 'FhirXmlError';
}

/** One FHIR resource in XML (any of the types above) as FHIR JSON. */
export function fhirXmlToJson(xml: string): Record<string, unknown> {
  const document = parser.parse(xml) as Record<string, unknown>;
  const roots = Object.keys(document).filter((key) => key !== '?xml');
  const [resourceType] = roots;
  if (roots.length !== 1 || resourceType === undefined) throw new FhirXmlError('expected one root element');
  return convertResource(resourceType, onlyElement(document[resourceType], resourceType));
}

function convertResource(resourceType: string, element: XmlElement): Record<string, unknown> {
  if (TYPES[resourceType] === undefined) throw new FhirXmlError(`no definition for resource ${resourceType}`);
  const namespace = element['@']?.['xmlns'];
  if (namespace !== 'http://hl7.org/fhir')
    throw new FhirXmlError(`${resourceType} is not in the FHIR namespace`);
  return { resourceType, ...convertComplex(resourceType, element, resourceType) };
}

function convertComplex(type: string, element: XmlElement, path: string): Record<string, unknown> {
  const definition = TYPES[type];
  if (definition === undefined) throw new FhirXmlError(`no definition for type ${type} at ${path}`);
  const out: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(element['@'] ?? {})) {
    // `url` on Extension is an XML attribute in FHIR XML and a property in JSON.
    if (name === 'url' && type === 'Extension') out['url'] = attribute;
    else if (name !== 'xmlns') throw new FhirXmlError(`unexpected attribute ${name} at ${path}`);
  }
  if (element['#text'] !== undefined) throw new FhirXmlError(`unexpected text at ${path}`);
  for (const [name, children] of Object.entries(element)) {
    if (name === '@' || name === '#text') continue;
    const elementDefinition = definition[name];
    if (elementDefinition === undefined) throw new FhirXmlError(`no definition for ${path}.${name}`);
    const [childType, max] = elementDefinition;
    const occurrences = (children as XmlElement[]).map((child) =>
      convertValue(childType, child, `${path}.${name}`),
    );
    if (max === '1' && occurrences.length > 1)
      throw new FhirXmlError(`${path}.${name} repeats but allows one`);
    out[name] = max === '*' ? occurrences : occurrences[0];
  }
  return out;
}

function convertValue(type: string, element: XmlElement, path: string): unknown {
  if (type === 'Resource') {
    const names = Object.keys(element).filter((key) => key !== '@');
    const [resourceType] = names;
    if (names.length !== 1 || resourceType === undefined)
      throw new FhirXmlError(`${path} holds one resource`);
    return convertResource(resourceType, onlyElement(element[resourceType], `${path}.${resourceType}`));
  }
  if (PRIMITIVE_TYPES.has(type)) return convertPrimitive(type, element, path);
  return convertComplex(type, element, path);
}

function convertPrimitive(type: string, element: XmlElement, path: string): unknown {
  const attributes = element['@'] ?? {};
  const children = Object.keys(element).filter((key) => key !== '@');
  // A primitive with an id or extensions needs JSON's `_element` form; none of the examples has one.
  if (children.length > 0 || Object.keys(attributes).some((name) => name !== 'value')) {
    throw new FhirXmlError(`${path}: primitive extensions are not supported`);
  }
  const value = attributes['value'];
  if (value === undefined) throw new FhirXmlError(`${path} has no value`);
  if (BOOLEAN_TYPES.has(type)) {
    if (value !== 'true' && value !== 'false') throw new FhirXmlError(`${path} is not a boolean`);
    return value === 'true';
  }
  if (NUMBER_TYPES.has(type)) {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) throw new FhirXmlError(`${path} is not a number`);
    return number;
  }
  return value;
}

function onlyElement(value: unknown, path: string): XmlElement {
  if (!Array.isArray(value) || value.length !== 1) throw new FhirXmlError(`${path} must occur once`);
  return value[0] as XmlElement;
}
