// GP Connect structured record (FHIR STU3) -> canonical care record. Pure functions, no I/O: the
// source fetches and parses, these decide what the graph shows. What GP Connect is sent is in
// mapping-requests.ts, its errors in ../mapping-errors.ts, appointments in ../appointments/mapping.ts.
// References are to the GP Connect specification (nhsconnect/gpconnect,
// pages/accessrecord_structured/) and the published examples copied into
// sandbox/fixtures/gpconnect/.
import type { z } from 'zod';
import type { Concept, Provenance } from '../../../platform/canonical.js';
import { upstreamInvalidResponse } from '../../../platform/errors.js';
import {
  CodeableConceptSchema,
  CodingSchema,
  extensionValue,
  OperationOutcomeSchema,
  findExtension,
  SNOMED_CT,
  toCoding,
  type FhirCodeableConcept,
  type FhirExtension,
} from '../../../platform/fhir.js';
import {
  AllergyIntoleranceSchema,
  ConditionSchema,
  DMD_SYSTEM,
  ImmunizationSchema,
  LIST_CODE,
  ListSchema,
  MedicationRequestSchema,
  MedicationSchema,
  MedicationStatementSchema,
  type GpcAllergyIntolerance,
  type GpcCondition,
  type GpcImmunization,
  type GpcList,
  type GpcMedicationRequest,
  type GpcStructuredBundle,
} from './fhir.js';
import { EXT, parseResource, type GpcResource } from '../fhir.js';
import type {
  Allergies,
  Allergy,
  CareRecord,
  ClinicalList,
  EmptyReason,
  EmptyReasonKind,
  Immunisation,
  ListWarning,
  ListWarningKind,
  ListWithProvenance,
  Medication,
  MedicationIssue,
  Problem,
  Section,
  SectionRequest,
} from '../model.js';
import { isSnomedConceptId } from '../../../platform/snomed.js';

export const SERVICE = 'GP Connect';

// ---------------------------------------------------------------------------------------------
// Codes. Only a valid SNOMED CT concept id counts as SNOMED CT (platform/snomed.ts). GP Connect
// sends some codes under the SNOMED system that are
// not concept ids (allergies_response1.json's resolved-allergies list is coded `TBD`): those are
// kept as sent and flagged unmapped, never dropped and never shown as SNOMED CT.

const sameSystem = (system: string | undefined, wanted: string) => system?.trim() === wanted;

/**
 * A CodeableConcept as a canonical Concept. SNOMED CT when a coding under the SNOMED system is a
 * valid concept id; a dm+d code under `https://dmd.nhs.uk` counts too, since dm+d ids are SNOMED
 * CT (UK drug extension) concept ids. Read v2, CTV3, EMIS and other local codings, and codes that
 * are not valid concept ids, leave the Concept unmapped. Every coding is kept exactly as sent.
 */
export function gpcConcept(concept: FhirCodeableConcept): Concept {
  const codings = concept.coding ?? [];
  const snomed =
    codings.find((c) => sameSystem(c.system, SNOMED_CT) && isSnomedConceptId(c.code)) ??
    codings.find((c) => sameSystem(c.system, DMD_SYSTEM) && isSnomedConceptId(c.code));
  const display = snomed?.display ?? codings.find((c) => c.display)?.display ?? concept.text ?? null;
  return {
    code: snomed?.code ?? null,
    display,
    codings: codings.map(toCoding),
    mapped: snomed !== undefined,
  };
}

const optionalConcept = (concept: FhirCodeableConcept | undefined): Concept | null =>
  concept === undefined ? null : gpcConcept(concept);

/** The dm+d concept id of a Medication: its coding under SNOMED CT or dm+d (APIS.md §5). */
export function dmdCodeOf(concept: FhirCodeableConcept): string | null {
  const coding = (concept.coding ?? []).find(
    (c) => (sameSystem(c.system, SNOMED_CT) || sameSystem(c.system, DMD_SYSTEM)) && isSnomedConceptId(c.code),
  );
  return coding?.code ?? null;
}

/** Text the clinician recorded when it says more than the code's display (e.g. a degraded code). */
function originalTextOf(concept: FhirCodeableConcept, coded: Concept): string | null {
  const text = concept.text?.trim();
  return text && text !== coded.display ? text : null;
}

const notesOf = (notes: ReadonlyArray<{ text?: string | undefined }> | undefined): string[] =>
  (notes ?? []).flatMap((note) => (note.text ? [note.text] : []));

// ---------------------------------------------------------------------------------------------
// The structured record -> canonical sections.

/** Every resource in the Bundle by `Type/id`, and its Lists. */
interface RecordIndex {
  resources: Map<string, GpcResource>;
  lists: GpcList[];
}

function indexBundle(bundle: GpcStructuredBundle): RecordIndex | Error {
  const resources = new Map<string, GpcResource>();
  const lists: GpcList[] = [];
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (resource === undefined) continue;
    if (resource.resourceType === 'List') {
      const list = ListSchema.safeParse(resource);
      if (!list.success) return upstreamInvalidResponse(SERVICE);
      lists.push(list.data);
    }
    if (resource.id !== undefined) resources.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  return { resources, lists };
}

const hasCode = (list: GpcList, code: string) =>
  (list.code?.coding ?? []).some((c) => sameSystem(c.system, SNOMED_CT) && c.code === code);

// The 1.6.x example codes its resolved-allergies list `TBD` ("awaiting confirmation of this SNOMED
// code", accessrecord_structured_development_list.md) and titles it "Resolved Allergies".
const isEndedAllergyList = (list: GpcList) =>
  hasCode(list, LIST_CODE.endedAllergies) || /^(resolved|ended) allergies$/i.test(list.title?.trim() ?? '');

/** The list's entries resolved in the Bundle (or, for `#id`, in the list itself), parsed with `schema`. */
function entriesOf<T>(
  list: GpcList,
  index: RecordIndex,
  schema: z.ZodType<T>,
): { items: T[]; unresolved: number } | Error {
  const items: T[] = [];
  let unresolved = 0;
  for (const { item } of list.entry ?? []) {
    const reference = item.reference ?? '';
    const resource = reference.startsWith('#')
      ? list.contained?.find((r) => r.id === reference.slice(1))
      : index.resources.get(reference);
    if (resource === undefined) {
      unresolved += 1;
      continue;
    }
    const parsed = parseResource(schema, resource);
    // A clinical item we cannot read makes the list unreadable: a shorter allergy list is unsafe.
    if (!parsed.success) return upstreamInvalidResponse(SERVICE);
    items.push(parsed.data);
  }
  return { items, unresolved };
}

const WARNING_KINDS: Record<string, ListWarningKind> = {
  'confidential-items': 'CONFIDENTIAL_ITEMS',
  'data-in-transit': 'DATA_IN_TRANSIT',
  'data-awaiting-filing': 'DATA_AWAITING_FILING',
};

function warningsOf(list: GpcList): ListWarning[] {
  return (list.extension ?? [])
    .filter((extension) => extension.url === EXT.listWarning)
    .flatMap((extension) => {
      const code = extensionValue(extension, 'valueCode', CodingSchema.shape.code.unwrap());
      return code ? [{ kind: WARNING_KINDS[code] ?? 'OTHER', code }] : [];
    });
}

/** FHIR list-empty-reason (nilknown, notasked, …) and CareConnect-ListEmptyReasonCode-1 codes. */
const EMPTY_REASON_KINDS: Record<string, EmptyReasonKind> = {
  nilknown: 'NIL_KNOWN',
  notasked: 'NOT_ASKED',
  withheld: 'WITHHELD',
  unavailable: 'UNAVAILABLE',
  notstarted: 'NOT_STARTED',
  closed: 'CLOSED',
  nocontentrecorded: 'NO_CONTENT_RECORDED',
};

/**
 * Why a list is empty, kept so a clinician can tell "no known allergies" (NIL_KNOWN: recorded and
 * confirmed) from a record where nothing is recorded (NO_CONTENT_RECORDED, NONE_GIVEN: GP Connect
 * sends no reason when "no known allergies" has not been recorded; allergies guidance, "Negation").
 */
export function emptyReasonOf(list: GpcList): EmptyReason {
  const notes = notesOf(list.note);
  const reason = list.emptyReason;
  if (reason === undefined) return { kind: 'NONE_GIVEN', concept: null, text: notes.join('\n') || null };
  const code = (reason.coding ?? []).map((c) => c.code?.toLowerCase().replace(/[^a-z]/g, '')).find(Boolean);
  return {
    kind: (code && EMPTY_REASON_KINDS[code]) || 'OTHER',
    concept: gpcConcept(reason),
    text: reason.text ?? (notes.join('\n') || null),
  };
}

/** A section GP Connect did not answer with a list: unknown, never "none". */
const notProvided = <T>(): ClinicalList<T> => ({
  items: [],
  emptyReason: { kind: 'NOT_PROVIDED', concept: null, text: null },
  warnings: [],
  notes: [],
  unresolvedEntries: 0,
});

/** All lists with the code merged (a provider may split one area across lists), mapped with `map`. */
function clinicalList<R, T>(
  lists: GpcList[],
  index: RecordIndex,
  schema: z.ZodType<R>,
  map: (resource: R) => T | Error,
): ClinicalList<T> | Error {
  if (lists.length === 0) return notProvided();
  const items: T[] = [];
  let unresolvedEntries = 0;
  for (const list of lists) {
    const entries = entriesOf(list, index, schema);
    if (entries instanceof Error) return entries;
    for (const entry of entries.items) {
      const item = map(entry);
      if (item instanceof Error) return item;
      items.push(item);
    }
    unresolvedEntries += entries.unresolved;
  }
  return {
    items,
    emptyReason: items.length === 0 && unresolvedEntries === 0 ? emptyReasonOf(lists[0]!) : null,
    warnings: lists.flatMap(warningsOf),
    notes: lists.flatMap((list) => notesOf(list.note)),
    unresolvedEntries,
  };
}

const StringSchema = CodingSchema.shape.display.unwrap();
const booleanExtension = (extensions: readonly FhirExtension[] | undefined, url: string): boolean | null => {
  const value = findExtension(extensions, url)?.['valueBoolean'];
  return typeof value === 'boolean' ? value : null;
};

function toAllergy(allergy: GpcAllergyIntolerance): Allergy {
  const code = gpcConcept(allergy.code);
  const end = findExtension(allergy.extension, EXT.allergyEnd);
  const endPart = (url: string, element: `value${string}`) =>
    extensionValue(findExtension(end?.extension, url), element, StringSchema) ?? null;
  return {
    id: allergy.id,
    code,
    originalText: originalTextOf(allergy.code, code),
    clinicalStatus: allergy.clinicalStatus ?? null,
    verificationStatus: allergy.verificationStatus ?? null,
    type: allergy.type ?? null,
    categories: allergy.category ?? [],
    criticality: allergy.criticality ?? null,
    onset: allergy.onsetDateTime ?? null,
    assertedDate: allergy.assertedDate ?? null,
    lastOccurrence: allergy.lastOccurrence ?? null,
    endDate: endPart('endDate', 'valueDateTime'),
    endReason: endPart('reasonEnded', 'valueString'),
    reactions: (allergy.reaction ?? []).map((reaction) => ({
      manifestations: (reaction.manifestation ?? []).map(gpcConcept),
      description: reaction.description ?? null,
      severity: reaction.severity ?? null,
    })),
    notes: notesOf(allergy.note),
  };
}

const provenanceAt = (retrievedAt: string): Provenance => ({ source: SERVICE, retrievedAt, stale: false });

function toAllergies(index: RecordIndex, includeEnded: boolean, retrievedAt: string): Allergies | Error {
  const endedLists = index.lists.filter(isEndedAllergyList);
  const activeLists = index.lists.filter((l) => hasCode(l, LIST_CODE.allergies) && !isEndedAllergyList(l));
  const active = clinicalList(activeLists, index, AllergyIntoleranceSchema, toAllergy);
  if (active instanceof Error) return active;
  const ended = includeEnded ? clinicalList(endedLists, index, AllergyIntoleranceSchema, toAllergy) : null;
  if (ended instanceof Error) return ended;
  return { active, ended, provenance: provenanceAt(retrievedAt) };
}

// Medications: MedicationStatement (the summary) -> Medication (what) and its plan
// MedicationRequest (how prescribed) -> order MedicationRequests (each issue) based on the plan
// (accessrecord_structured_development_medication_resource_relationships).

const referencedAs = (resource: { resourceType: string; id: string }) =>
  `${resource.resourceType}/${resource.id}`;

type LooseQuantity = {
  value?: number | string | undefined;
  unit?: string | undefined;
  extension?: FhirExtension[] | undefined;
};

function quantityText(quantity: LooseQuantity | undefined): string | null {
  if (quantity === undefined) return null;
  const text = extensionValue(
    findExtension(quantity.extension, EXT.quantityText),
    'valueString',
    StringSchema,
  );
  if (text) return text;
  return quantity.value === undefined ? null : `${quantity.value}${quantity.unit ? ` ${quantity.unit}` : ''}`;
}

function toIssue(request: GpcMedicationRequest): MedicationIssue {
  const dispense = request.dispenseRequest;
  return {
    id: request.id,
    status: request.status ?? null,
    authoredOn: request.authoredOn ?? null,
    quantity: quantityText(dispense?.quantity),
    supplyDuration: quantityText(dispense?.expectedSupplyDuration),
    validFrom: dispense?.validityPeriod?.start ?? null,
    validTo: dispense?.validityPeriod?.end ?? null,
  };
}

function repeatValue(extensions: readonly FhirExtension[] | undefined, url: string): number | null {
  const inner = findExtension(findExtension(extensions, EXT.repeatInformation)?.extension, url);
  const value = inner?.['valuePositiveInt'] ?? inner?.['valueUnsignedInt'];
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** A referenced resource parsed with `schema`; undefined when absent, an Error when unreadable. */
function resolve<T>(
  index: RecordIndex,
  schema: z.ZodType<T>,
  reference: string | undefined,
): T | Error | undefined {
  const resource = reference === undefined ? undefined : index.resources.get(reference);
  if (resource === undefined) return undefined;
  const parsed = parseResource(schema, resource);
  return parsed.success ? parsed.data : upstreamInvalidResponse(SERVICE);
}

const codeableExtension = (extensions: readonly FhirExtension[] | undefined, url: string) =>
  optionalConcept(
    extensionValue(findExtension(extensions, url), 'valueCodeableConcept', CodeableConceptSchema),
  );

function toMedications(index: RecordIndex, includeIssues: boolean): ClinicalList<Medication> | Error {
  const orders: GpcMedicationRequest[] = [];
  for (const resource of index.resources.values()) {
    if (resource.resourceType !== 'MedicationRequest') continue;
    const parsed = parseResource(MedicationRequestSchema, resource);
    if (!parsed.success) return upstreamInvalidResponse(SERVICE);
    if (parsed.data.intent === 'order') orders.push(parsed.data);
  }
  const lists = index.lists.filter((l) => hasCode(l, LIST_CODE.medications));
  return clinicalList(lists, index, MedicationStatementSchema, (statement): Medication | Error => {
    const medication = resolve(index, MedicationSchema, statement.medicationReference.reference);
    const plan = resolve(index, MedicationRequestSchema, statement.basedOn?.[0]?.reference);
    // A statement whose medicine cannot be named is refused, not shown as a nameless medicine.
    if (medication === undefined || medication instanceof Error) return upstreamInvalidResponse(SERVICE);
    if (plan instanceof Error) return plan;
    const code = gpcConcept(medication.code);
    const planReference = plan ? referencedAs(plan) : undefined;
    const dosage = statement.dosage?.[0] ?? plan?.dosageInstruction?.[0];
    const lastIssue =
      findExtension(statement.extension, EXT.lastIssueDate) ??
      findExtension(statement.extension, EXT.lastIssueDateHl7);
    return {
      id: statement.id,
      code,
      originalText: originalTextOf(medication.code, code),
      dmdCode: dmdCodeOf(medication.code),
      status: statement.status ?? null,
      prescriptionType: codeableExtension(plan?.extension, EXT.prescriptionType),
      prescribingAgency: codeableExtension(statement.extension, EXT.prescribingAgency),
      effectiveStart: statement.effectivePeriod?.start ?? statement.effectiveDateTime ?? null,
      effectiveEnd: statement.effectivePeriod?.end ?? null,
      dateAsserted: statement.dateAsserted ?? null,
      lastIssueDate: extensionValue(lastIssue, 'valueDateTime', StringSchema) ?? null,
      dosage: dosage?.text ?? null,
      patientInstruction: dosage?.patientInstruction ?? null,
      quantity: quantityText(plan?.dispenseRequest?.quantity),
      repeatsAllowed: repeatValue(plan?.extension, 'numberOfRepeatPrescriptionsAllowed'),
      repeatsIssued: repeatValue(plan?.extension, 'numberOfRepeatPrescriptionsIssued'),
      notes: notesOf(statement.note),
      issues: includeIssues
        ? orders
            .filter(
              (order) =>
                planReference !== undefined && order.basedOn?.some((b) => b.reference === planReference),
            )
            .map(toIssue)
        : null,
    };
  });
}

function toProblem(condition: GpcCondition): Problem {
  const code = gpcConcept(condition.code);
  return {
    id: condition.id,
    code,
    originalText: originalTextOf(condition.code, code),
    clinicalStatus: condition.clinicalStatus ?? null,
    significance:
      extensionValue(
        findExtension(condition.extension, EXT.problemSignificance),
        'valueCode',
        StringSchema,
      ) ?? null,
    onset: condition.onsetDateTime ?? null,
    abatement: condition.abatementDateTime ?? null,
    assertedDate: condition.assertedDate ?? null,
    notes: notesOf(condition.note),
  };
}

function toImmunisation(immunization: GpcImmunization): Immunisation {
  const protocol = immunization.vaccinationProtocol?.[0];
  const dose = immunization.doseQuantity;
  return {
    id: immunization.id,
    vaccine: gpcConcept(immunization.vaccineCode),
    procedure: codeableExtension(immunization.extension, EXT.vaccinationProcedure),
    // STU3 Immunization.notGiven is mandatory; a record without it is read as given, as sent.
    given: immunization.notGiven !== true,
    status: immunization.status ?? null,
    date: immunization.date ?? null,
    dateRecorded:
      extensionValue(
        findExtension(immunization.extension, EXT.dateRecorded),
        'valueDateTime',
        StringSchema,
      ) ?? null,
    reasons: (immunization.explanation?.reason ?? []).map(gpcConcept),
    notGivenReasons: (immunization.explanation?.notGivenReason ?? []).map(gpcConcept),
    site: optionalConcept(immunization.site),
    route: optionalConcept(immunization.route),
    dose:
      dose?.value === undefined
        ? null
        : `${dose.value} ${dose.unit ?? (typeof dose['code'] === 'string' ? dose['code'] : '')}`.trim(),
    lotNumber: immunization.lotNumber ?? null,
    expirationDate: immunization.expirationDate ?? null,
    targetDiseases: (protocol?.targetDisease ?? []).map(gpcConcept),
    doseSequence: protocol?.doseSequence ?? null,
    seriesDoses: protocol?.seriesDoses ?? null,
    parentPresent: booleanExtension(immunization.extension, EXT.parentPresent),
    primarySource: immunization.primarySource ?? null,
    notes: notesOf(immunization.note),
  };
}

const withProvenance = <T>(
  list: ClinicalList<T> | Error,
  retrievedAt: string,
): ListWithProvenance<T> | Error =>
  list instanceof Error ? list : { ...list, provenance: provenanceAt(retrievedAt) };

/** The Parameters name that asks GP Connect for each section. */
const SECTION_PARAMETER: Record<Section, string> = {
  allergies: 'includeAllergies',
  medications: 'includeMedication',
  problems: 'includeProblems',
  immunisations: 'includeImmunisations',
};

/**
 * A provider that does not support a requested area answers without its list and says why in an
 * OperationOutcome warning in the Bundle (consultations_forwards_response1.json: NOT_IMPLEMENTED,
 * "includeProblems is an unrecognised parameter"). That warning becomes the NOT_PROVIDED reason.
 */
function notProvidedReason(index: RecordIndex, section: Section): EmptyReason {
  const parameter = SECTION_PARAMETER[section];
  for (const resource of index.resources.values()) {
    if (resource.resourceType !== 'OperationOutcome') continue;
    const outcome = OperationOutcomeSchema.safeParse(resource);
    const issue = outcome.success
      ? outcome.data.issue.find((i) => i.diagnostics === parameter || i.details?.text?.includes(parameter))
      : undefined;
    if (issue?.details)
      return { kind: 'NOT_PROVIDED', concept: gpcConcept(issue.details), text: issue.details.text ?? null };
  }
  return { kind: 'NOT_PROVIDED', concept: null, text: null };
}

function explainNotProvided<T extends { emptyReason: EmptyReason | null }>(
  list: T | Error,
  index: RecordIndex,
  section: Section,
): T | Error {
  if (list instanceof Error || list.emptyReason?.kind !== 'NOT_PROVIDED') return list;
  return { ...list, emptyReason: notProvidedReason(index, section) };
}

function explainAllergies(allergies: Allergies, index: RecordIndex): Allergies {
  const explain = (list: ClinicalList<Allergy>) =>
    list.emptyReason?.kind === 'NOT_PROVIDED'
      ? { ...list, emptyReason: notProvidedReason(index, 'allergies') }
      : list;
  return {
    ...allergies,
    active: explain(allergies.active),
    ended: allergies.ended && explain(allergies.ended),
  };
}

/**
 * The sections asked for, from one structured record. A section that cannot be read is an Error
 * on its own (UPSTREAM_INVALID_RESPONSE); the others still answer.
 */
export function toCareRecord(
  bundle: GpcStructuredBundle,
  requests: readonly SectionRequest[],
  context: { retrievedAt: string },
): CareRecord {
  const index = indexBundle(bundle);
  const asked = (section: Section, option?: 'includeEnded' | 'includeIssues') =>
    requests.some((r) => r.section === section && (option === undefined || r[option] === true));
  const record: CareRecord = {};
  if (index instanceof Error) {
    for (const section of Object.keys(SECTION_PARAMETER) as Section[])
      if (asked(section)) record[section] = index;
    return record;
  }
  const { retrievedAt } = context;
  const primary = (code: string) => index.lists.filter((l) => hasCode(l, code) && !isEndedAllergyList(l));
  if (asked('allergies')) {
    const allergies = toAllergies(index, asked('allergies', 'includeEnded'), retrievedAt);
    record.allergies = allergies instanceof Error ? allergies : explainAllergies(allergies, index);
  }
  if (asked('medications')) {
    const list = toMedications(index, asked('medications', 'includeIssues'));
    record.medications = withProvenance(explainNotProvided(list, index, 'medications'), retrievedAt);
  }
  if (asked('problems')) {
    const list = clinicalList(primary(LIST_CODE.problems), index, ConditionSchema, toProblem);
    record.problems = withProvenance(explainNotProvided(list, index, 'problems'), retrievedAt);
  }
  if (asked('immunisations')) {
    const list = clinicalList(primary(LIST_CODE.immunisations), index, ImmunizationSchema, toImmunisation);
    record.immunisations = withProvenance(explainNotProvided(list, index, 'immunisations'), retrievedAt);
  }
  return record;
}
