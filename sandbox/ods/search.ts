// Search on the ODS stand-in: GET /Organization and GET /OrganizationAffiliation with the
// parameters the ODT specification documents (organisation-data-terminology-api.yaml), over the
// served resources. Every criterion must hold (AND); a comma inside one value means OR, as in FHIR.
import { z } from 'zod';
import type { OdsErrorCode } from './errors.js';
import { ODS_CODE_SYSTEM, type FhirResource } from './fixtures.js';

const ROLE_EXTENSION = 'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-OrganisationRole';
const TYPED_DATE_TIME = 'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-TypedDateTime';
const ROLE_SYSTEM =
  'https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole';

/** What search reads from a served Organization, extracted once. */
interface OrganisationFacts {
  resource: FhirResource;
  code: string;
  name: string;
  active: boolean;
  postcodes: string[];
  cities: string[];
  countries: string[];
  roles: Array<{ code: string; active: boolean }>;
  lastChangeDate: string | null;
}

interface AffiliationFacts {
  resource: FhirResource;
  id: string;
  source: string;
  target: string;
  active: boolean;
}

const Extension = z.looseObject({
  url: z.string(),
  extension: z.array(z.looseObject({ url: z.string() })).optional(),
});
const FactsSchema = z.looseObject({
  identifier: z.array(z.looseObject({ system: z.string().optional(), value: z.string().optional() })),
  name: z.string(),
  active: z.boolean().optional(),
  address: z
    .array(
      z.looseObject({
        postalCode: z.string().optional(),
        city: z.string().optional(),
        country: z.string().optional(),
      }),
    )
    .optional(),
  extension: z.array(Extension).optional(),
});
const RoleParts = z.object({
  roleCode: z.object({ valueCodeableConcept: z.object({ coding: z.array(z.object({ code: z.string() })) }) }),
  active: z.object({ valueBoolean: z.boolean() }).optional(),
});

const subExtensions = (extension: z.infer<typeof Extension>): Record<string, unknown> =>
  Object.fromEntries((extension.extension ?? []).map((inner) => [inner.url, inner]));

export function organisationFacts(resource: FhirResource): OrganisationFacts {
  const parsed = FactsSchema.parse(resource);
  const extensions = parsed.extension ?? [];
  const roles = extensions
    .filter((extension) => extension.url === ROLE_EXTENSION)
    .map((extension) => RoleParts.parse(subExtensions(extension)))
    .map((role) => ({
      code: role.roleCode.valueCodeableConcept.coding[0]?.code ?? '',
      active: role.active?.valueBoolean ?? true,
    }));
  const changed = extensions.find((extension) => extension.url === TYPED_DATE_TIME);
  const changedAt = z
    .object({ dateTime: z.object({ valueDateTime: z.string() }) })
    .safeParse(changed === undefined ? {} : subExtensions(changed));
  const addresses = parsed.address ?? [];
  return {
    resource,
    code: resource.id,
    name: parsed.name,
    // Organization.active: "generally assumed to be active if no value is provided" (FHIR R4).
    active: parsed.active ?? true,
    postcodes: addresses.flatMap((a) => (a.postalCode === undefined ? [] : [a.postalCode])),
    cities: addresses.flatMap((a) => (a.city === undefined ? [] : [a.city])),
    countries: addresses.flatMap((a) => (a.country === undefined ? [] : [a.country])),
    roles,
    lastChangeDate: changedAt.success ? changedAt.data.dateTime.valueDateTime.slice(0, 10) : null,
  };
}

const AffiliationFactsSchema = z.looseObject({
  active: z.boolean().optional(),
  organization: z.looseObject({ identifier: z.looseObject({ value: z.string() }) }),
  participatingOrganization: z.looseObject({ identifier: z.looseObject({ value: z.string() }) }),
});

export function affiliationFacts(resource: FhirResource): AffiliationFacts {
  const parsed = AffiliationFactsSchema.parse(resource);
  return {
    resource,
    id: resource.id,
    source: parsed.organization.identifier.value,
    target: parsed.participatingOrganization.identifier.value,
    active: parsed.active ?? true,
  };
}

export type SearchProblem =
  | { kind: 'ods'; code: OdsErrorCode; value: string }
  /** A valid request the sandbox does not simulate, or a value no published error covers. */
  | { kind: 'sandbox'; diagnostics: string };

export interface Paging {
  count: number;
  offset: number;
  /** `_summary=count`: the total only, no entries. */
  summaryOnly: boolean;
}

export type SearchResult<T> =
  { ok: true; matches: T[]; paging: Paging } | { ok: false; problem: SearchProblem };

type Predicate<T> = (facts: T) => boolean;
type Matcher<T> = (value: string) => Predicate<T> | SearchProblem;

const DEFAULT_COUNT = 20; // ODT specification: "By default the first 20 records will be returned".

const lower = (value: string) => value.toLowerCase();
const startsWith = (values: string[], prefix: string) =>
  values.some((v) => lower(v).startsWith(lower(prefix)));
const contains = (values: string[], part: string) => values.some((v) => lower(v).includes(lower(part)));

/** `system|code` or a bare code; null when the system is not the one expected. */
function tokenCode(token: string, system: string): string | null {
  const bar = token.lastIndexOf('|');
  if (bar < 0) return token;
  return token.slice(0, bar) === system ? token.slice(bar + 1) : null;
}

/** FHIR: a comma inside one parameter value separates alternatives. */
const anyOf =
  <T>(build: (single: string) => Predicate<T>): Matcher<T> =>
  (value) => {
    const alternatives = value.split(',').map(build);
    return (facts) => alternatives.some((predicate) => predicate(facts));
  };

const booleanMatcher =
  <T>(read: (facts: T) => boolean): Matcher<T> =>
  (value) => {
    if (value !== 'true' && value !== 'false')
      return { kind: 'sandbox', diagnostics: `active must be true or false` };
    return (facts) => read(facts) === (value === 'true');
  };

const DATE_PARAMETER = /^(eq|ne|gt|lt|ge|le)?(\d{4}-\d{2}-\d{2})$/;

const lastChangeDate: Matcher<OrganisationFacts> = (value) => {
  const match = DATE_PARAMETER.exec(value);
  if (match === null) return { kind: 'ods', code: 'INVALID_FORMAT', value: JSON.stringify(value) };
  const [, prefix = 'eq', date = ''] = match;
  const compare: Record<string, (changed: string) => boolean> = {
    eq: (changed) => changed === date,
    ne: (changed) => changed !== date,
    gt: (changed) => changed > date,
    lt: (changed) => changed < date,
    ge: (changed) => changed >= date,
    le: (changed) => changed <= date,
  };
  return (facts) => facts.lastChangeDate !== null && (compare[prefix]?.(facts.lastChangeDate) ?? false);
};

const hasRole = (onlyActive: boolean) =>
  anyOf<OrganisationFacts>((token) => {
    const code = tokenCode(token, ROLE_SYSTEM);
    return (facts) => facts.roles.some((role) => role.code === code && (!onlyActive || role.active));
  });

const not =
  <T>(matcher: Matcher<T>): Matcher<T> =>
  (value) => {
    const predicate = matcher(value);
    return typeof predicate === 'function' ? (facts) => !predicate(facts) : predicate;
  };

const ORGANIZATION_MATCHERS: Record<string, Matcher<OrganisationFacts>> = {
  _id: anyOf((code) => (facts) => facts.code === code),
  identifier: anyOf((token) => (facts) => facts.code === tokenCode(token, ODS_CODE_SYSTEM)),
  // Not case sensitive, from the start of the name; `:exact` is case sensitive (ODT specification).
  name: anyOf((text) => (facts) => startsWith([facts.name], text)),
  'name:contains': anyOf((text) => (facts) => contains([facts.name], text)),
  'name:exact': anyOf((text) => (facts) => facts.name === text),
  active: booleanMatcher((facts) => facts.active),
  'address-postalcode': anyOf((text) => (facts) => startsWith(facts.postcodes, text)),
  'address-postalcode:contains': anyOf((text) => (facts) => contains(facts.postcodes, text)),
  'address-postalcode:exact': anyOf((text) => (facts) => facts.postcodes.includes(text)),
  'address-city': anyOf((text) => (facts) => startsWith(facts.cities, text)),
  'address-city:contains': anyOf((text) => (facts) => contains(facts.cities, text)),
  'address-city:exact': anyOf((text) => (facts) => facts.cities.includes(text)),
  'address-country': anyOf((text) => (facts) => startsWith(facts.countries, text)),
  roleCode: hasRole(false),
  'roleCode:not': not(hasRole(false)),
  activeRoleCode: hasRole(true),
  'activeRoleCode:not': not(hasRole(true)),
  lastChangeDate,
};

/** Valid on the real API (its HAPI-0524 list) but not simulated here. */
const ORGANIZATION_NOT_SIMULATED = new Set([
  '_content',
  '_lastUpdated',
  '_profile',
  '_security',
  '_source',
  '_tag',
  '_text',
  '_revinclude',
  'address',
  'address-state',
  'address-use',
  'endpoint',
  'partof',
  'phonetic',
  'type',
]);

const ORGANISATION_CODE = (name: 'source' | 'target') =>
  anyOf<AffiliationFacts>((token) => (facts) => facts[name] === tokenCode(token, ODS_CODE_SYSTEM));

const AFFILIATION_MATCHERS: Record<string, Matcher<AffiliationFacts>> = {
  _id: anyOf((id) => (facts) => facts.id === id),
  'primary-organization': ORGANISATION_CODE('source'),
  'participating-organization': ORGANISATION_CODE('target'),
  active: booleanMatcher((facts) => facts.active),
};

/** The parameters OrganizationAffiliation search accepts, for its HAPI-0524 diagnostics. */
export const AFFILIATION_PARAMETERS = [
  '_count',
  '_id',
  '_include',
  '_offset',
  '_summary',
  'active',
  'participating-organization',
  'primary-organization',
];

const PAGING = new Set(['_count', '_offset', '_summary']);

function paging(query: URLSearchParams): Paging | SearchProblem {
  const count = query.get('_count');
  const offset = query.get('_offset');
  const summary = query.get('_summary');
  if (count !== null && !/^[1-9]\d*$/.test(count))
    return { kind: 'sandbox', diagnostics: '_count must be a positive integer' };
  if (offset !== null && !/^\d+$/.test(offset))
    return { kind: 'sandbox', diagnostics: '_offset must be 0 or more' };
  if (summary !== null && summary !== 'count')
    return { kind: 'sandbox', diagnostics: '_summary supports count only' };
  return {
    count: count === null ? DEFAULT_COUNT : Number(count),
    offset: offset === null ? 0 : Number(offset),
    summaryOnly: summary === 'count',
  };
}

function search<T extends { resource: FhirResource }>(
  all: readonly T[],
  query: URLSearchParams,
  matchers: Record<string, Matcher<T>>,
  ignored: ReadonlySet<string>,
  notSimulated: ReadonlySet<string>,
): SearchResult<T> {
  const predicates: Array<Predicate<T>> = [];
  for (const [name, value] of query) {
    if (PAGING.has(name) || ignored.has(name)) continue;
    if (notSimulated.has(name)) {
      return {
        ok: false,
        problem: { kind: 'sandbox', diagnostics: `the sandbox does not simulate ${name}` },
      };
    }
    const matcher = matchers[name];
    if (matcher === undefined)
      return { ok: false, problem: { kind: 'ods', code: 'UNKNOWN_PARAMETER', value: `"${name}"` } };
    const predicate = matcher(value);
    if (typeof predicate !== 'function') return { ok: false, problem: predicate };
    predicates.push(predicate);
  }
  const page = paging(query);
  if (!('count' in page)) return { ok: false, problem: page };
  const matches = all
    .filter((facts) => predicates.every((predicate) => predicate(facts)))
    .sort((a, b) => a.resource.id.localeCompare(b.resource.id));
  return { ok: true, matches, paging: page };
}

export function searchOrganizations(
  all: readonly OrganisationFacts[],
  query: URLSearchParams,
): SearchResult<OrganisationFacts> {
  return search(all, query, ORGANIZATION_MATCHERS, new Set(), ORGANIZATION_NOT_SIMULATED);
}

export function searchAffiliations(
  all: readonly AffiliationFacts[],
  query: URLSearchParams,
): SearchResult<AffiliationFacts> {
  // `_include` adds resources to the page rather than filtering; the handler reads it.
  return search(all, query, AFFILIATION_MATCHERS, new Set(['_include']), new Set());
}
