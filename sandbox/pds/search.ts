// PDS patient search over every served patient, with a documented scoring rule (sandbox/README.md).
// Real behaviour it keeps (patient-search.yaml): score 1.0 = exact, results best first, restricted
// patients never returned when postcode or GP is searched and returned without location data
// otherwise, `_exact-match` keeps score 1.0 only, more matches than `_max-results` -> TOO_MANY_MATCHES.
import type { FhirPatient } from './fixtures.js';
import { toSearchResource } from './patient-resource.js';
import type { DateCondition, SearchCriteria } from './search-params.js';
import type { PatientStore, StoredPatient } from './store.js';
import { fold, foldPostcode, soundex, wildcardMatches } from './text-match.js';

/** How well one criterion matched; a criterion at 0 excludes the patient unless it only scores. */
export const QUALITY = {
  exact: 1,
  wildcard: 0.8, // karate's published wildcard search (family=Sm*) scores below 1 (0.8343)
  phonetic: 0.8, // fuzzy: Soundex-equal
  transposed: 0.7, // fuzzy: given and family swapped
  extraGivenMissing: 0.5, // a middle name PDS does not hold lowers the score but does not exclude
  historicFactor: 0.9, // matched only on a previous (`old`) name
} as const;

export const PUBLIC_BASE = 'https://api.service.nhs.uk/personal-demographics/FHIR/R4';

type HumanName = NonNullable<FhirPatient['name']>[number];
const CURRENT_NAME_USES = new Set(['usual', 'nickname', 'temp']);

function matchText(pattern: string, value: string | undefined, fuzzy: boolean): number {
  if (value === undefined) return 0;
  if (!fuzzy) {
    if (pattern.includes('*')) return wildcardMatches(fold(pattern), fold(value)) ? QUALITY.wildcard : 0;
    return fold(pattern) === fold(value) ? QUALITY.exact : 0;
  }
  if (fold(pattern, true) === fold(value, true)) return QUALITY.exact;
  return soundex(pattern) === soundex(value) ? QUALITY.phonetic : 0;
}

function datesMatch(conditions: readonly DateCondition[], value: string | undefined): boolean {
  if (value === undefined) return false;
  const day = value.slice(0, 10);
  return conditions.every(({ op, date }) =>
    op === 'eq' ? day === date : op === 'ge' ? day >= date : day <= date,
  );
}

/** Qualities for family and first given name against the best of the patient's names. */
function nameQualities(c: SearchCriteria, names: readonly HumanName[]): number[] | null {
  const wanted = { family: c.family, given: c.given[0] };
  if (wanted.family === undefined && wanted.given === undefined) return [];
  let best: { qualities: number[]; name: HumanName } | null = null;
  for (const name of names) {
    const current = name.use === undefined || CURRENT_NAME_USES.has(name.use);
    if (!current && !(c.history || c.fuzzy)) continue; // fuzzy "always searches history"
    const factor = current ? 1 : QUALITY.historicFactor;
    const direct = [
      wanted.family === undefined ? null : matchText(wanted.family, name.family, c.fuzzy),
      wanted.given === undefined ? null : matchText(wanted.given, name.given?.[0], c.fuzzy),
    ].filter((q) => q !== null);
    let qualities = direct.map((q) => q * factor);
    if (c.fuzzy && direct.some((q) => q === 0) && wanted.family !== undefined && wanted.given !== undefined) {
      const swapped = [
        matchText(wanted.family, name.given?.[0], true),
        matchText(wanted.given, name.family, true),
      ];
      if (swapped.every((q) => q > 0)) qualities = swapped.map(() => QUALITY.transposed * factor);
    }
    if (qualities.some((q) => q === 0)) continue;
    if (best === null || sum(qualities) > sum(best.qualities)) best = { qualities, name };
  }
  if (best === null) return null;
  const extra = c.given.slice(1).map((given, i) => {
    const held = best.name.given?.[i + 1];
    return held !== undefined && fold(held, c.fuzzy) === fold(given, c.fuzzy)
      ? QUALITY.exact
      : QUALITY.extraGivenMissing;
  });
  return [...best.qualities, ...extra];
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

function postcodeQuality(c: SearchCriteria, patient: FhirPatient, pattern: string): number {
  const wanted = foldPostcode(pattern);
  let best = 0;
  for (const address of patient.address ?? []) {
    if (address.postalCode === undefined) continue;
    const held = foldPostcode(address.postalCode);
    if (held === wanted) return QUALITY.exact;
    if (!c.fuzzy && wanted.includes('*') && wildcardMatches(wanted, held)) best = QUALITY.wildcard;
  }
  return best;
}

function telecomHas(patient: FhirPatient, system: 'phone' | 'email', wanted: string): boolean {
  const normalise = (v: string): string =>
    system === 'email' ? v.trim().toLowerCase() : v.replace(/\s+/g, '');
  return (patient.telecom ?? []).some(
    (t) => t.system === system && t.value !== undefined && normalise(t.value) === normalise(wanted),
  );
}

/** The score for one patient, or null when it does not match. */
export function scorePatient(c: SearchCriteria, stored: StoredPatient): number | null {
  const p = stored.matchable;
  // "If address-postalcode, address-postcode, or general-practitioner are included in the search
  // parameters, no restricted patients are returned even if a match is identified."
  if (stored.restricted && (c.postcode !== undefined || c.gp !== undefined)) return null;
  const names = nameQualities(c, p.name ?? []);
  if (names === null) return null;
  const filters: number[] = [...names];
  const scoreOnly: number[] = []; // fuzzy: death date and GP "are not used in the search" but score
  if (c.gender !== undefined) filters.push(p.gender === c.gender ? QUALITY.exact : 0);
  if (c.birthdate.length > 0) filters.push(datesMatch(c.birthdate, p.birthDate) ? QUALITY.exact : 0);
  if (c.postcode !== undefined) filters.push(postcodeQuality(c, p, c.postcode));
  if (c.phone !== undefined) filters.push(telecomHas(p, 'phone', c.phone) ? QUALITY.exact : 0);
  if (c.email !== undefined) filters.push(telecomHas(p, 'email', c.email) ? QUALITY.exact : 0);
  if (c.deathDate.length > 0) {
    (c.fuzzy ? scoreOnly : filters).push(datesMatch(c.deathDate, p.deceasedDateTime) ? QUALITY.exact : 0);
  }
  if (c.gp !== undefined) {
    const held = (p.generalPractitioner ?? []).some(
      (gp) => gp.identifier?.value?.toUpperCase() === c.gp?.toUpperCase(),
    );
    (c.fuzzy ? scoreOnly : filters).push(held ? QUALITY.exact : 0);
  }
  if (filters.some((q) => q === 0)) return null;
  const all = [...filters, ...scoreOnly];
  return all.length === 0 ? null : Math.round((sum(all) / all.length) * 10_000) / 10_000;
}

export type SearchOutcome = { kind: 'tooManyMatches' } | { kind: 'bundle'; bundle: Record<string, unknown> };

/** PDS timestamps look like 2019-12-25T12:00:00+00:00 (sandbox/mocks/PatientSearch.json). */
const fhirInstant = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, '+00:00');

export function searchPatients(store: PatientStore, c: SearchCriteria, now = new Date()): SearchOutcome {
  const matches: { stored: StoredPatient; score: number }[] = [];
  for (const stored of store.all()) {
    const score = scorePatient(c, stored);
    if (score !== null && (!c.exactOnly || score === 1)) matches.push({ stored, score });
  }
  if (matches.length > c.maxResults) return { kind: 'tooManyMatches' };
  matches.sort((a, b) => b.score - a.score || a.stored.served.id.localeCompare(b.stored.served.id));
  // The published empty searchset (karate stubs.js EMPTY_SEARCHSET) has no `entry` at all.
  const bundle: Record<string, unknown> = {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: fhirInstant(now),
    total: matches.length,
  };
  if (matches.length > 0) {
    bundle['entry'] = matches.map(({ stored, score }) => ({
      fullUrl: `${PUBLIC_BASE}/Patient/${stored.served.id}`,
      search: { score },
      resource: toSearchResource(stored.served),
    }));
  }
  return { kind: 'bundle', bundle };
}
