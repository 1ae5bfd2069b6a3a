// Whose structured record the GP Connect stand-in holds, and the Bundle it answers with: the
// published examples for the PDS sandbox patients (fixtures/derived/gpconnect-records.json says
// which), synthetic records shaped on them for everyone else it knows, and GP Connect's errors for
// the scenario numbers. Only the sections the Parameters asked for are returned, as GP Connect
// does ("when the includeAllergies parameter is not set: no allergy ... information shall be
// returned", accessrecord_structured_development_retrieve_patient_record).
import { isValidNhsNumber } from '../../platform/nhs-number.js';
import { loadFixturePatients } from '../pds/fixtures.js';
import type { SyntheticPerson } from '../synthetic.js';
import {
  forPatient,
  loadDerivedRecords,
  loadStructuredExamples,
  resourcesOf,
  type DerivedRecords,
  type Json,
  type SectionSource,
} from './fixtures.js';
import { emptyList, LIST_CODES, type EmptyKind, type Fragment, type ListName } from './lists.js';
import { syntheticFragment, templatesFrom, type SyntheticSection } from './synthetic-records.js';

/** What a $gpc.getstructuredrecord Parameters body asked for. */
export interface IncludeRequest {
  allergies?: { resolved: boolean };
  medications?: { issues: boolean };
  problems?: boolean;
  immunisations?: boolean;
  /** Parameters the stand-in does not simulate; answered with a `not-supported` warning. */
  unsupported: string[];
}

export type RecordAnswer = { kind: 'record'; bundle: Json } | { kind: 'error'; status: number; code: string };

const EXAMPLE_FILES = [
  'allergies_response1.json',
  'allergies_response3.json',
  'meds_response.json',
  'consultations_forwards_response1.json',
  'immunizations_response1.json',
  'immunizations_response2.json',
] as const;

/** Per section: `example:<file>`, `derived:<name>`, `empty:<kind>` or `synthetic`. */
type Recipe = Record<SyntheticSection, SectionSource>;

export interface RecordStore {
  /** The provider's logical id for a patient it holds (Patient.id), or null. */
  patientId(nhsNumber: string): string | null;
  /** Whether Patient search finds the patient (registered, not sensitive or deceased). */
  findable(nhsNumber: string): boolean;
  structuredRecord(nhsNumber: string, include: IncludeRequest): RecordAnswer;
}

export function createRecordStore(people: readonly SyntheticPerson[]): RecordStore {
  const derived = loadDerivedRecords();
  const examples = loadStructuredExamples(EXAMPLE_FILES);
  const exampleResources = new Map([...examples].map(([file, bundle]) => [file, resourcesOf(bundle)]));
  const pool = new Map<string, Json>();
  for (const resources of exampleResources.values()) {
    for (const resource of resources) if (resource['id'] !== undefined) pool.set(key(resource), resource);
  }
  const base = (exampleResources.get('allergies_response1.json') ?? []).filter((r) =>
    ['Patient', 'Organization', 'Practitioner', 'PractitionerRole'].includes(String(r['resourceType'])),
  );
  const templates = templatesFrom(
    {
      allergies: exampleResources.get('allergies_response1.json') ?? [],
      medications: exampleResources.get('meds_response.json') ?? [],
      immunisations: exampleResources.get('immunizations_response2.json') ?? [],
    },
    derived.derived,
  );
  const recipes = new Map<string, Recipe>(derived.records.map((r) => [r.nhsNumber, r]));
  const errors = new Map(derived.errors.map((e) => [e.nhsNumber, e]));
  // Who else the provider knows: synthetic people, and the PDS fixture patients, each with a
  // synthetic record unless GP Connect would refuse them (sensitive or deceased: PATIENT_NOT_FOUND).
  const known = new Map<string, { restricted: boolean; deceased: boolean }>();
  for (const [nhsNumber, patient] of loadFixturePatients()) {
    const restricted = (patient.meta.security ?? []).some((s) => s.code === 'R');
    known.set(nhsNumber, { restricted, deceased: patient.deceasedDateTime !== undefined });
  }
  for (const person of people) {
    known.set(person.nhsNumber, { restricted: person.restricted, deceased: person.death !== null });
  }

  const recipeOf = (nhsNumber: string): Recipe | null => {
    const recipe = recipes.get(nhsNumber);
    if (recipe) return recipe;
    const person = known.get(nhsNumber);
    if (!person || person.restricted || person.deceased || errors.has(nhsNumber)) return null;
    return {
      allergies: 'synthetic',
      medications: 'synthetic',
      problems: 'synthetic',
      immunisations: 'synthetic',
    };
  };

  const patientId = (nhsNumber: string) =>
    recipeOf(nhsNumber) !== null || errors.get(nhsNumber)?.status === 403 ? `gpc-${nhsNumber}` : null;

  function fragment(
    source: SectionSource,
    nhsNumber: string,
    section: SyntheticSection,
    options: { resolved: boolean; issues: boolean },
  ): Fragment {
    if (source === 'synthetic') return syntheticFragment(templates, nhsNumber, section, options);
    const [kind, name] = source.split(':') as [string, string];
    if (kind === 'empty') {
      const lists = [emptyList(section, name as EmptyKind)];
      if (section === 'allergies' && options.resolved)
        lists.push(emptyList('endedAllergies', 'no-content-recorded'));
      return { lists, resources: [] };
    }
    if (kind === 'derived') return derivedFragment(derived.derived, name);
    return exampleFragment(exampleResources.get(name) ?? [], pool, section, options);
  }

  return {
    patientId,
    findable: (nhsNumber) => recipeOf(nhsNumber) !== null || errors.get(nhsNumber)?.status === 403,
    structuredRecord(nhsNumber, include) {
      if (!isValidNhsNumber(nhsNumber)) return { kind: 'error', status: 400, code: 'INVALID_NHS_NUMBER' };
      const error = errors.get(nhsNumber);
      if (error) return { kind: 'error', status: error.status, code: error.code };
      const recipe = recipeOf(nhsNumber);
      if (recipe === null) return { kind: 'error', status: 404, code: 'PATIENT_NOT_FOUND' };
      const options = {
        resolved: include.allergies?.resolved ?? false,
        issues: include.medications?.issues ?? false,
      };
      const fragments: Fragment[] = [];
      if (include.allergies) fragments.push(fragment(recipe.allergies, nhsNumber, 'allergies', options));
      if (include.medications)
        fragments.push(fragment(recipe.medications, nhsNumber, 'medications', options));
      if (include.problems) fragments.push(fragment(recipe.problems, nhsNumber, 'problems', options));
      if (include.immunisations)
        fragments.push(fragment(recipe.immunisations, nhsNumber, 'immunisations', options));
      const bundle = assemble(base, fragments, pool, include.unsupported);
      return { kind: 'record', bundle: forPatient(bundle, nhsNumber, `gpc-${nhsNumber}`) };
    },
  };
}

const key = (resource: Json) => `${String(resource['resourceType'])}/${String(resource['id'])}`;

const hasListCode = (list: Json, name: ListName) =>
  JSON.stringify(list['code'] ?? {}).includes(`"${LIST_CODES[name].code}"`);
const isEndedAllergies = (list: Json) =>
  hasListCode(list, 'endedAllergies') ||
  /^(resolved|ended) allergies$/i.test(typeof list['title'] === 'string' ? list['title'] : '');

function exampleFragment(
  resources: Json[],
  pool: Map<string, Json>,
  section: SyntheticSection,
  options: { resolved: boolean; issues: boolean },
): Fragment {
  const lists = resources.filter((r) => r['resourceType'] === 'List');
  const chosen =
    section === 'allergies'
      ? lists.filter((l) => hasListCode(l, 'allergies') && !isEndedAllergies(l))
      : lists.filter((l) => hasListCode(l, section));
  if (section === 'allergies' && options.resolved) {
    const ended = lists.filter(isEndedAllergies);
    chosen.push(...(ended.length > 0 ? ended : [emptyList('endedAllergies', 'no-content-recorded')]));
  }
  const own = new Map(resources.filter((r) => r['id'] !== undefined).map((r) => [key(r), r]));
  const needed = referencedFrom(chosen, (reference) => own.get(reference) ?? pool.get(reference));
  if (section === 'medications' && options.issues) {
    const plans = new Set(needed.filter((r) => r['resourceType'] === 'MedicationRequest').map(key));
    needed.push(
      ...resources.filter(
        (r) =>
          r['resourceType'] === 'MedicationRequest' &&
          r['intent'] === 'order' &&
          JSON.stringify(r['basedOn'] ?? [])
            .match(/"MedicationRequest\/[^"]+"/g)
            ?.some((m) => plans.has(m.slice(1, -1))),
      ),
    );
  }
  return { lists: chosen, resources: needed };
}

function derivedFragment(derived: DerivedRecords['derived'], name: string): Fragment {
  const entry = derived[name];
  if (entry === undefined) throw new Error(`no derived GP Connect fragment ${name}`);
  return { lists: [entry.list], resources: entry.conditions };
}

/** Every resource `roots` reference (transitively), found by `lookup`; never the Patient. */
function referencedFrom(roots: Json[], lookup: (reference: string) => Json | undefined): Json[] {
  const found = new Map<string, Json>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [field, inner] of Object.entries(value)) {
      if (field === 'reference' && typeof inner === 'string' && /^[A-Z]\w+\/[^/]+$/.test(inner)) {
        if (inner.startsWith('Patient/') || found.has(inner)) continue;
        const resource = lookup(inner);
        if (resource === undefined) continue;
        found.set(inner, resource);
        visit(resource);
      } else visit(inner);
    }
  };
  roots.forEach(visit);
  return [...found.values()];
}

function assemble(base: Json[], fragments: Fragment[], pool: Map<string, Json>, unsupported: string[]): Json {
  const entries: Json[] = [];
  const seen = new Set<string>();
  const add = (resource: Json) => {
    if (resource['id'] !== undefined) {
      if (seen.has(key(resource))) return;
      seen.add(key(resource));
    }
    entries.push(resource);
  };
  base.forEach(add);
  for (const { lists, resources } of fragments) {
    lists.forEach(add);
    resources.forEach(add);
    // Synthetic resources reference the examples' practice, practitioner and location.
    referencedFrom(resources, (reference) => pool.get(reference)).forEach(add);
  }
  if (unsupported.length > 0) add(notSupported(unsupported));
  return {
    resourceType: 'Bundle',
    meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-StructuredRecord-Bundle-1'] },
    type: 'collection',
    entry: entries.map((resource) => ({ resource })),
  };
}

/** As consultations_forwards_response1.json answers parameters it does not support. */
function notSupported(parameters: string[]): Json {
  return {
    resourceType: 'OperationOutcome',
    id: 'sandbox-unsupported-parameters',
    meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1'] },
    issue: parameters.map((parameter) => ({
      severity: 'warning',
      code: 'not-supported',
      details: {
        coding: [
          {
            system: 'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1',
            code: 'NOT_IMPLEMENTED',
            display: 'Not implemented',
          },
        ],
        text: `${parameter} is an unrecognised parameter`,
      },
      diagnostics: parameter,
    })),
  };
}
