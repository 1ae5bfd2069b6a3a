// Synthetic structured records for the generated patients (and PDS fixture patients without a
// derived record), deterministic per NHS number. Every resource is a published example resource
// (or the derived ProblemHeader) cloned with a new id, dates and a code drawn from the codes those
// same examples use, so the stand-in's synthetic volume has the real wire shape.
import { createPrng } from '../synthetic.js';
import type { DerivedRecords, Json } from './fixtures.js';
import { LIST_CODES, emptyList, type Fragment } from './lists.js';

/** Codes that appear in the published examples and derived records, by what they can stand for. */
const ALLERGENS = [
  { code: '323509004', display: 'Amoxicillin 250mg capsules', category: 'medication' },
  { code: '319773006', display: 'Aspirin 75mg dispersible tablet', category: 'medication' },
  { code: '256349002', display: 'Peanut - dietary', category: 'environment' },
];
const MEDICINES = [
  { code: '323509004', display: 'Amoxicillin 250mg capsules' },
  { code: '319773006', display: 'Aspirin 75mg dispersible tablets' },
  { code: '317971007', display: 'Furosemide 20mg tablets' },
];
const PROBLEMS = [
  { code: '38341003', display: 'Hypertensive disorder, systemic arterial' },
  { code: '90560007', display: 'Gout' },
  { code: '44054006', display: 'Type 2 diabetes mellitus' },
];

export interface Templates {
  allergy: Json;
  medication: { statement: Json; plan: Json; order: Json; medication: Json };
  condition: Json;
  immunisation: Json;
}

const byId = (resources: Json[], id: string): Json => {
  const found = resources.find((r) => r['id'] === id);
  if (found === undefined) throw new Error(`GP Connect template ${id} is missing from the examples`);
  return found;
};

/** The example resources the synthetic records are cloned from. */
export function templatesFrom(
  examples: { allergies: Json[]; medications: Json[]; immunisations: Json[] },
  derived: DerivedRecords['derived'],
): Templates {
  const conditions = derived['problems-9000000009']?.conditions ?? [];
  return {
    allergy: byId(examples.allergies, '6bff710a-0bdc-4c9b-b98b-40db0a107edc'),
    medication: {
      // The repeat in meds_response.json: statement, plan, one issue and the Medication.
      statement: byId(examples.medications, '791ceb40-db0a-491d-ab0f-22f5a08509fd'),
      plan: byId(examples.medications, '8e078d04-8312-433a-b6b4-46bf52542b0c'),
      order: byId(examples.medications, '8afe3af9-995d-4ccc-9211-f8c2620be670'),
      medication: byId(examples.medications, '8b339981-e9be-4e37-bf03-799295a6aec8'),
    },
    condition: byId(conditions, 'derived-problem-9000000009-1'),
    immunisation: byId(examples.immunisations, 'eba25af1-5b74-4790-aa5a-2134fd27ad45'),
  };
}

const clone = (value: Json): Json => structuredClone(value);
const snomed = (code: string, display: string) => ({
  coding: [{ system: 'http://snomed.info/sct', code, display }],
});
const listOf = (code: keyof typeof LIST_CODES, references: string[]): Json => ({
  resourceType: 'List',
  meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-List-1'] },
  status: 'current',
  mode: 'snapshot',
  title: LIST_CODES[code].title,
  code: snomed(LIST_CODES[code].code, LIST_CODES[code].title),
  subject: { reference: 'Patient/04603d77-1a4e-4d63-b246-d7504f8bd833' },
  orderedBy: { coding: [{ system: 'http://hl7.org/fhir/list-order', code: 'event-date' }] },
  entry: references.map((reference) => ({ item: { reference } })),
});

export type SyntheticSection = 'allergies' | 'medications' | 'problems' | 'immunisations';

/** One section of the synthetic record of `nhsNumber`; empty sections say why, varied by patient. */
export function syntheticFragment(
  templates: Templates,
  nhsNumber: string,
  section: SyntheticSection,
  options: { resolved: boolean; issues: boolean },
): Fragment {
  // One generator per section, so asking for one section never changes another's content.
  const next = createPrng((Number(nhsNumber.slice(-9)) * 7 + section.length * 101) >>> 0);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const day = () => {
    const date = new Date(Date.UTC(2012, 0, 1) + Math.floor(next() * 4000) * 86_400_000);
    return date.toISOString().slice(0, 10);
  };
  const count = Math.floor(next() * 4);
  const id = (kind: string, n: number) => `syn-${nhsNumber}-${kind}-${n}`;

  if (section === 'allergies') {
    if (count === 0) {
      const kind = pick(['nil-known', 'unconfirmed', 'no-content-recorded'] as const);
      const lists = [emptyList('allergies', kind)];
      if (options.resolved) lists.push(emptyList('endedAllergies', 'no-content-recorded'));
      return { lists, resources: [] };
    }
    const resources = Array.from({ length: Math.min(count, ALLERGENS.length) }, (_, n) => {
      const allergen = ALLERGENS[(n + count) % ALLERGENS.length]!;
      return {
        ...clone(templates.allergy),
        id: id('allergy', n),
        code: snomed(allergen.code, allergen.display),
        category: [allergen.category],
        assertedDate: `${day()}T00:00:00+00:00`,
      };
    });
    const lists = [
      listOf(
        'allergies',
        resources.map((r) => `AllergyIntolerance/${r.id}`),
      ),
    ];
    if (options.resolved) lists.push(emptyList('endedAllergies', 'no-content-recorded'));
    return { lists, resources };
  }

  if (section === 'medications') {
    if (count === 0) return { lists: [emptyList('medications', 'no-content-recorded')], resources: [] };
    const resources: Json[] = [];
    const statements: string[] = [];
    for (let n = 0; n < count; n += 1) {
      const medicine = pick(MEDICINES);
      const started = day();
      const medicationId = id('medication', n);
      const planId = id('plan', n);
      const { statement, plan, order, medication } = templates.medication;
      resources.push(
        { ...clone(medication), id: medicationId, code: snomed(medicine.code, medicine.display) },
        {
          ...clone(statement),
          id: id('statement', n),
          basedOn: [{ reference: `MedicationRequest/${planId}` }],
          medicationReference: { reference: `Medication/${medicationId}` },
          effectivePeriod: { start: started },
          dateAsserted: started,
        },
        {
          ...clone(plan),
          id: planId,
          medicationReference: { reference: `Medication/${medicationId}` },
          authoredOn: started,
        },
      );
      if (options.issues) {
        resources.push({
          ...clone(order),
          id: id('issue', n),
          basedOn: [{ reference: `MedicationRequest/${planId}` }],
          medicationReference: { reference: `Medication/${medicationId}` },
          authoredOn: started,
        });
      }
      statements.push(`MedicationStatement/${id('statement', n)}`);
    }
    return { lists: [listOf('medications', statements)], resources };
  }

  if (section === 'problems') {
    if (count === 0) return { lists: [emptyList('problems', 'no-content-recorded')], resources: [] };
    const resources = Array.from({ length: count }, (_, n) => {
      const problem = PROBLEMS[n % PROBLEMS.length]!;
      const { extension: _links, ...condition } = clone(templates.condition);
      return {
        ...condition,
        id: id('problem', n),
        extension: [
          {
            url: 'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-ProblemSignificance-1',
            valueCode: pick(['major', 'minor']),
          },
        ],
        clinicalStatus: pick(['active', 'inactive']),
        code: snomed(problem.code, problem.display),
        onsetDateTime: day(),
        note: [],
      };
    });
    return {
      lists: [
        listOf(
          'problems',
          resources.map((r) => `Condition/${r.id}`),
        ),
      ],
      resources,
    };
  }

  if (count === 0) return { lists: [emptyList('immunisations', 'no-content-recorded')], resources: [] };
  const resources = Array.from({ length: Math.min(count, 2) }, (_, n) => ({
    ...clone(templates.immunisation),
    id: id('immunisation', n),
    date: day(),
  }));
  return {
    lists: [
      listOf(
        'immunisations',
        resources.map((r) => `Immunization/${r.id}`),
      ),
    ],
    resources,
  };
}
