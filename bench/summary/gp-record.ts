// What the GP Connect and dm+d sections of the summary must answer for a sandbox person, worked
// out from what the sandbox itself serves, never from nhs-graph's careRecord or medicines mapping:
// the FHIR Bundle the GP Connect stand-in answers for the person's NHS number
// (sandbox/gpconnect/records.ts, createRecordStore over the same synthetic people) and the names
// in the dm+d release the terminology stand-in serves (sandbox/dmd/release.ts). Only the FHIR is
// read: the primary List of each section, its entries in List order, and the SNOMED CT coding of
// each AllergyIntolerance and of each MedicationStatement's Medication.
import { loadDmdRelease, type DmdRelease } from '../../sandbox/dmd/release.js';
import { createRecordStore, type RecordStore } from '../../sandbox/gpconnect/records.js';
import { generatePeople, type SyntheticPerson } from '../../sandbox/synthetic.js';
import { SANDBOX_SEED } from '../tokens.js';

type Json = Record<string, unknown>;

const SNOMED_CT = 'http://snomed.info/sct';
/** The primary lists' SNOMED CT codes (GP Connect "Primary lists in the query response"). */
const ALLERGIES_LIST = '886921000000105';
const MEDICATIONS_LIST = '933361000000108';

/**
 * An empty list's reason as the schema documents `EmptyReasonKind`: FHIR list-empty-reason
 * `nilknown`, CareConnect-ListEmptyReasonCode-1 `no-content-recorded`, and no reason at all (an
 * empty allergy list not confirmed with the patient). The synthetic records use only these three.
 */
const EMPTY_REASON_KINDS: Record<string, string> = {
  nilknown: 'NIL_KNOWN',
  'no-content-recorded': 'NO_CONTENT_RECORDED',
};

let sandbox: { store: RecordStore; dmd: DmdRelease } | undefined;
/** Built on first use: the store over the people the sandbox generates (default seed and count). */
function sandboxData() {
  sandbox ??= { store: createRecordStore(generatePeople(SANDBOX_SEED)), dmd: loadDmdRelease() };
  return sandbox;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A Bundle's resources by `Type/id`, and its Lists. */
interface Bundle {
  byReference: Map<string, Json>;
  lists: Json[];
}

/** The Bundle the GP Connect stand-in answers for this person when asked for allergies and medications. */
function bundleOf(person: SyntheticPerson): Bundle {
  const answer = sandboxData().store.structuredRecord(person.nhsNumber, {
    allergies: { resolved: false },
    medications: { issues: false },
    unsupported: [],
  });
  if (answer.kind !== 'record') {
    throw new Error(
      `the GP Connect sandbox refuses ${person.nhsNumber} (${answer.status} ${answer.code}): pick another person`,
    );
  }
  const resources = arrayOf(answer.bundle['entry']).flatMap((entry) =>
    isObject(entry) && isObject(entry['resource']) ? [entry['resource']] : [],
  );
  return {
    byReference: new Map(
      resources
        .filter((resource) => typeof resource['id'] === 'string')
        .map((resource) => [`${String(resource['resourceType'])}/${String(resource['id'])}`, resource]),
    ),
    lists: resources.filter((resource) => resource['resourceType'] === 'List'),
  };
}

const snomedCodings = (concept: unknown) =>
  arrayOf(isObject(concept) ? concept['coding'] : undefined).filter(
    (coding): coding is Json => isObject(coding) && coding['system'] === SNOMED_CT,
  );

/** The one List coded `code`, its entries resolved in the Bundle (in List order), and its empty reason. */
function listOf(bundle: Bundle, code: string, nhsNumber: string) {
  const lists = bundle.lists.filter((list) => snomedCodings(list['code']).some((c) => c['code'] === code));
  const [list] = lists;
  // One list per section is all the synthetic records hold; more (or none) would need the merging
  // and NOT_PROVIDED rules of the mapping, which this does not reimplement.
  if (list === undefined || lists.length !== 1)
    throw new Error(`${nhsNumber}: expected one List ${code}, the sandbox sent ${lists.length}`);
  const entries = arrayOf(list['entry']).map((entry) => {
    const reference = isObject(entry) && isObject(entry['item']) ? entry['item']['reference'] : undefined;
    const resource = typeof reference === 'string' ? bundle.byReference.get(reference) : undefined;
    // An unresolved entry would be `unresolvedEntries`, not checked here.
    if (resource === undefined)
      throw new Error(`${nhsNumber}: List ${code} entry ${String(reference)} is missing`);
    return resource;
  });
  let emptyReason: { kind: string } | null = null;
  if (entries.length === 0) {
    const reason = list['emptyReason'];
    const reasonCode = isObject(reason) ? arrayOf(reason['coding']).find(isObject)?.['code'] : undefined;
    const kind = reason === undefined ? 'NONE_GIVEN' : EMPTY_REASON_KINDS[String(reasonCode)];
    if (kind === undefined)
      throw new Error(`${nhsNumber}: List ${code} has an empty reason ${String(reasonCode)}`);
    emptyReason = { kind };
  }
  return { entries, emptyReason };
}

/** The one SNOMED CT coding of a resource's code (the synthetic records code each item once). */
function snomedCoding(concept: unknown, what: string): { code: string; display: string } {
  const [coding, ...more] = snomedCodings(concept);
  if (coding === undefined || more.length > 0 || typeof coding['code'] !== 'string')
    throw new Error(`${what}: expected one SNOMED CT coding`);
  return { code: coding['code'], display: String(coding['display']) };
}

/** `allergies { active { items { code { code display } } emptyReason { kind } } }` for this person. */
export function expectedAllergies(person: SyntheticPerson): Json {
  const { entries, emptyReason } = listOf(bundleOf(person), ALLERGIES_LIST, person.nhsNumber);
  const items = entries.map((allergy) => {
    if (allergy['resourceType'] !== 'AllergyIntolerance')
      throw new Error(`${person.nhsNumber}: allergies list names a ${String(allergy['resourceType'])}`);
    return {
      code: snomedCoding(allergy['code'], `${person.nhsNumber} AllergyIntolerance/${String(allergy['id'])}`),
    };
  });
  return { allergies: { active: { items, emptyReason } } };
}

/**
 * `medications { items { code { code } medicine { code name } } emptyReason { kind } }`: each
 * MedicationStatement's Medication's SNOMED CT code (a dm+d id in the synthetic records), and the
 * name the dm+d release gives that code.
 */
export function expectedMedications(person: SyntheticPerson): Json {
  const bundle = bundleOf(person);
  const { entries, emptyReason } = listOf(bundle, MEDICATIONS_LIST, person.nhsNumber);
  const items = entries.map((statement) => {
    const where = `${person.nhsNumber} MedicationStatement/${String(statement['id'])}`;
    const reference = isObject(statement['medicationReference'])
      ? statement['medicationReference']['reference']
      : undefined;
    const medication = typeof reference === 'string' ? bundle.byReference.get(reference) : undefined;
    if (medication === undefined) throw new Error(`${where}: its Medication is missing`);
    const { code } = snomedCoding(medication['code'], where);
    const concept = sandboxData().dmd.concepts.get(code);
    // A code dm+d lacks is `medicine: null` with a NOT_FOUND error: not a clean answer to measure.
    if (concept === undefined) throw new Error(`${where}: dm+d holds no ${code}: pick another person`);
    return { code: { code }, medicine: { code, name: concept.display } };
  });
  return { medications: { items, emptyReason } };
}

/** Whether the GP Connect sandbox answers this person's record at all (not refused). */
export function hasGpRecord(person: SyntheticPerson): boolean {
  return sandboxData().store.structuredRecord(person.nhsNumber, { unsupported: [] }).kind === 'record';
}

/** How many allergies and medications the sandbox holds for this person. */
export function gpRecordCounts(person: SyntheticPerson): { allergies: number; medications: number } {
  const allergies = expectedAllergies(person)['allergies'] as { active: { items: unknown[] } };
  const medications = expectedMedications(person)['medications'] as { items: unknown[] };
  return { allergies: allergies.active.items.length, medications: medications.items.length };
}
