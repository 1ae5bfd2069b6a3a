// Parses and validates GET /Patient query parameters the way PDS does. Rules and diagnostics
// follow specification/components/paths/patient-search.yaml and the parameter definitions in
// personal-demographics.yaml; where PDS's own diagnostics are published (the karate sandbox mock
// get-patient-search.js) the same strings are used.
import type { PdsErrorCode } from './fixtures.js';

export type DateOp = 'eq' | 'ge' | 'le';
export interface DateCondition {
  op: DateOp;
  date: string;
}

export interface SearchCriteria {
  fuzzy: boolean;
  exactOnly: boolean;
  history: boolean;
  maxResults: number;
  family?: string;
  given: string[];
  gender?: string;
  birthdate: DateCondition[];
  deathDate: DateCondition[];
  postcode?: string;
  gp?: string;
  email?: string;
  phone?: string;
}

export type ParsedSearch =
  { ok: true; criteria: SearchCriteria } | { ok: false; code: PdsErrorCode; diagnostics?: string };

const SINGLE = [
  '_fuzzy-match',
  '_exact-match',
  '_history',
  '_max-results',
  'family',
  'gender',
  'address-postcode',
  'address-postalcode',
  'general-practitioner',
  'email',
  'phone',
];
const MAX_VALUES: Record<string, number> = { given: Infinity, birthdate: 2, 'death-date': 2 };
const KNOWN = new Set([...SINGLE, ...Object.keys(MAX_VALUES)]);
const GENDERS = new Set(['male', 'female', 'other', 'unknown']);
const DATE = /^(eq|ge|le)?(\d{4})-(\d{2})-(\d{2})$/;
/** MaxResults: "For healthcare worker access, this must be between 1 and 50, and the default is 50." */
export const DEFAULT_MAX_RESULTS = 50;
const MAX_NAME_LENGTH = 35; // Family/Given: "Max 35 characters."

const MIN_REQUIREMENTS =
  "Invalid search data provided - 'No searches were performed as the search criteria did not meet the minimum requirements'";

class SearchError extends Error {
  constructor(
    readonly code: PdsErrorCode,
    readonly diagnostics?: string,
  ) {
    super(diagnostics ?? code);
  }
}
const invalidValue = (value: string, field: string): SearchError =>
  new SearchError('INVALID_VALUE', `Invalid value - '${value}' in field '${field}'`);
const invalidSearch = (why: string): SearchError =>
  new SearchError('INVALID_SEARCH_DATA', `Invalid search data provided - '${why}'`);

function parseDate(value: string, field: string): DateCondition {
  const match = DATE.exec(value);
  if (match === null) throw invalidValue(value, field);
  const [, op = 'eq', year, month, day] = match;
  const date = `${year}-${month}-${day}`;
  // Reject shapes that are not calendar dates (2010-02-30) as PDS does for any invalid value.
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date)
    throw invalidValue(value, field);
  return { op: op as DateOp, date };
}

function parseBoolean(value: string | undefined, field: string): boolean {
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw invalidValue(value, field);
  return value === 'true';
}

function text(query: URLSearchParams, field: string, maxLength = Infinity): string | undefined {
  const value = query.get(field);
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > maxLength) throw invalidValue(value, field);
  return trimmed;
}

function checkShape(query: URLSearchParams): void {
  const names = [...new Set(query.keys())];
  if (names.length === 0) throw new SearchError('UNSUPPORTED_SERVICE');
  const unknown = names.filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => `'${name}'`).join(', ');
    throw new SearchError(
      'ADDITIONAL_PROPERTIES',
      `Invalid request with error - Additional properties are not allowed (${list} ${unknown.length === 1 ? 'was' : 'were'} unexpected)`,
    );
  }
  for (const name of names) {
    const count = query.getAll(name).length;
    if (count > (MAX_VALUES[name] ?? 1)) {
      throw new SearchError('TOO_MANY_VALUES_SUBMITTED', `Too many values submitted for '${name}'`);
    }
  }
}

/** `*` matches the start of a name or postcode, never in the first two characters nor in fuzzy mode. */
function checkWildcards(criteria: SearchCriteria): void {
  const values = [criteria.family, criteria.given[0], criteria.postcode].filter((v) => v !== undefined);
  for (const value of values) {
    const at = value.indexOf('*');
    if (at < 0) continue;
    if (criteria.fuzzy) throw invalidSearch('Wildcards cannot be used in a fuzzy search');
    if (at < 2) throw invalidSearch('Wildcards must follow at least two characters');
  }
}

/** Non-fuzzy: family name and date of birth. Fuzzy: one of the three combinations PDS lists. */
function checkMinimum(criteria: SearchCriteria): void {
  if (criteria.birthdate.length === 0) {
    throw new SearchError(
      'MISSING_VALUE',
      "Missing value - 'birth_date/birth_date_range_start/birth_date_range_end'",
    );
  }
  const has = { family: criteria.family !== undefined, given: criteria.given.length > 0 };
  const withPlace = criteria.gender !== undefined && criteria.postcode !== undefined;
  const enough = criteria.fuzzy
    ? (has.given && has.family) || (has.family && withPlace) || (has.given && withPlace)
    : has.family;
  if (!enough) throw new SearchError('INVALID_SEARCH_DATA', MIN_REQUIREMENTS);
}

function parse(query: URLSearchParams): SearchCriteria {
  checkShape(query);
  const maxRaw = query.get('_max-results');
  let maxResults = DEFAULT_MAX_RESULTS;
  if (maxRaw !== null) {
    maxResults = /^\d{1,3}$/.test(maxRaw) ? Number(maxRaw) : NaN;
    if (!(maxResults >= 1 && maxResults <= DEFAULT_MAX_RESULTS)) throw invalidValue(maxRaw, '_max-results');
  }
  const gender = text(query, 'gender');
  if (gender !== undefined && !GENDERS.has(gender)) throw invalidValue(gender, 'gender');
  const given = query.getAll('given').map((value) => {
    if (value.trim() === '' || value.trim().length > MAX_NAME_LENGTH) throw invalidValue(value, 'given');
    return value.trim();
  });
  const postcodes = ['address-postcode', 'address-postalcode'].filter((name) => query.has(name));
  if (postcodes.length > 1)
    throw invalidSearch('address-postcode and address-postalcode cannot both be provided');
  const criteria: SearchCriteria = {
    fuzzy: parseBoolean(query.get('_fuzzy-match') ?? undefined, '_fuzzy-match'),
    exactOnly: parseBoolean(query.get('_exact-match') ?? undefined, '_exact-match'),
    history: parseBoolean(query.get('_history') ?? undefined, '_history'),
    maxResults,
    given,
    birthdate: query.getAll('birthdate').map((value) => parseDate(value, 'birthdate')),
    deathDate: query.getAll('death-date').map((value) => parseDate(value, 'death-date')),
  };
  const optional = {
    family: text(query, 'family', MAX_NAME_LENGTH),
    gender,
    postcode: postcodes[0] === undefined ? undefined : text(query, postcodes[0]),
    gp: text(query, 'general-practitioner'),
    email: text(query, 'email'),
    phone: text(query, 'phone'),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(criteria, { [key]: value });
  }
  checkWildcards(criteria);
  checkMinimum(criteria);
  return criteria;
}

export function parseSearch(query: URLSearchParams): ParsedSearch {
  try {
    return { ok: true, criteria: parse(query) };
  } catch (error) {
    if (!(error instanceof SearchError)) throw error;
    return error.diagnostics === undefined
      ? { ok: false, code: error.code }
      : { ok: false, code: error.code, diagnostics: error.diagnostics };
  }
}
