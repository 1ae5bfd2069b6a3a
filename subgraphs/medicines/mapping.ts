// dm+d on the terminology server -> canonical medicines. Pure functions, no I/O: the source fetches
// and parses (fhir.ts), these decide what the graph shows, what is asked of the server, and what
// its errors mean. Tested on every concept the sandbox serves from the published dm+d extract.
import type { GraphQLError } from 'graphql';
import type { Coding, Concept } from '../../platform/canonical.js';
import {
  badUserInput,
  commonUpstreamErrors,
  ErrorCode,
  type UpstreamErrorRule,
  upstreamRuleError,
} from '../../platform/errors.js';
import { SNOMED_CT } from '../../platform/fhir.js';
import {
  DMD_ALL_VALUE_SET,
  DMD_SYSTEM,
  dmdClassValueSet,
  type DmdLookup,
  type DmdOperationOutcome,
  type DmdProperty,
  type DmdValue,
  type Expansion,
} from './fhir.js';
import {
  MEDICINE_KINDS,
  type MedicineIngredient,
  type MedicineKind,
  type MedicineQuantity,
  type MedicineRecord,
  type MedicineSearchCriteria,
} from './model.js';
import { conceptIdProblem, isSnomedConceptId, type SctidProblem } from '../../platform/snomed.js';

export const SERVICE = 'dm+d';

// ---------------------------------------------------------------------------------------------
// Codes in.

/**
 * dm+d codes are SNOMED CT concept ids (platform/snomed.ts): `...00x` international, `...10x` UK
 * drug extension. The check digit is not verified: dm+d answers for codes it knows, and its own
 * releases hold ids whose check digit does not hold.
 */
const DMD = { checkDigit: false };
export const isMedicineCode = (code: string): boolean => isSnomedConceptId(code, DMD);

const MEDICINE_CODE_PROBLEMS: Record<SctidProblem, string> = {
  shape: 'must be a dm+d code: a SNOMED CT concept id of 6 to 18 digits not starting with 0, e.g. 318136009.',
  'not-a-concept':
    "is a SNOMED CT description or relationship id, not a concept id; send the medicine's concept id (the coding's code).",
  'check-digit': 'is not a SNOMED CT id: its check digit is wrong.', // not checked for dm+d (above)
};

/** Refuses anything but a dm+d code (a SNOMED CT concept id), naming the argument. */
export function checkMedicineCode(code: string, argument = 'code'): string {
  const problem = conceptIdProblem(code, DMD);
  if (problem !== undefined) throw badUserInput(`${argument} ${MEDICINE_CODE_PROBLEMS[problem]}`, argument);
  return code;
}

/** The coding systems that name dm+d medicines: dm+d's own (UK Core) and SNOMED CT's (GP Connect). */
export const MEDICINE_SYSTEMS: readonly string[] = [DMD_SYSTEM, SNOMED_CT];

export function checkMedicineSystem(system: string, argument = 'system'): string {
  if (!MEDICINE_SYSTEMS.includes(system)) {
    throw badUserInput(`${argument} must be ${MEDICINE_SYSTEMS.join(' or ')}.`, argument);
  }
  return system;
}

// ---------------------------------------------------------------------------------------------
// What is asked of the terminology server.

/** A FHIR `batch` Bundle with one `$lookup` (every property) per code, in the order given. */
export function lookupBatch(codes: readonly string[]): unknown {
  return {
    resourceType: 'Bundle',
    type: 'batch',
    entry: codes.map((code) => ({
      request: {
        method: 'GET',
        url: `CodeSystem/$lookup?${new URLSearchParams({ system: DMD_SYSTEM, code, property: '*' }).toString()}`,
      },
    })),
  };
}

const FIRST = { min: 1, max: 50, default: 20 };
// Letters (any script), digits, spaces and the punctuation medicine names use: 5mg/40mg, Co-amilofruse,
// 0.5%, Gaviscon Advance (peppermint), Sennosides 7.5mg, St John's wort.
const NAME = /^[\p{L}\p{N} \-/.,%+()&'’]{2,100}$/u;

/** `ValueSet/$expand` parameters for a name search (only valid concepts). */
export function toExpandParams(criteria: MedicineSearchCriteria): URLSearchParams {
  const name = criteria.name.trim().replace(/\s+/g, ' ');
  if (!NAME.test(name)) {
    throw badUserInput(
      "name must be 2 to 100 letters, digits, spaces or -/.,%+()&' characters, e.g. co-amil 5mg.",
      'name',
    );
  }
  const first = criteria.first ?? FIRST.default;
  if (!Number.isInteger(first) || first < FIRST.min || first > FIRST.max) {
    throw badUserInput(`first must be a whole number from ${FIRST.min} to ${FIRST.max}.`, 'first');
  }
  const url = criteria.kind ? dmdClassValueSet(criteria.kind) : DMD_ALL_VALUE_SET;
  return new URLSearchParams({ url, filter: name, count: String(first), activeOnly: 'true' });
}

/** The dm+d codes an expansion lists, in its order (codes of other systems are not medicines). */
export function expansionCodes(expansion: Expansion): string[] {
  return (expansion.expansion.contains ?? []).flatMap((entry) =>
    entry.system === DMD_SYSTEM &&
    entry.code !== undefined &&
    entry.inactive !== true &&
    isMedicineCode(entry.code)
      ? [entry.code]
      : [],
  );
}

// ---------------------------------------------------------------------------------------------
// $lookup -> Medicine.

/**
 * The canonical medicine for a $lookup answer, or null when the concept is not a medicine (the
 * dm+d code system also holds its lookup concepts: forms, routes, units, suppliers, ingredients).
 */
export function toMedicineRecord(
  lookup: DmdLookup,
  context: { code: string; retrievedAt: string },
): MedicineRecord | null {
  const kind = kindOf(lookup);
  if (kind === null) return null;
  const properties = (code: string) => lookup.properties.filter((property) => property.code === code);
  const concepts = (code: string) => properties(code).flatMap((p) => (p.value ? toConcepts(p.value) : []));
  const first = (code: string) => concepts(code)[0] ?? null;
  const text = (code: string) => {
    const value = properties(code)[0]?.value;
    return value?.type === 'string' ? value.value : null;
  };
  const linked = (field: string) => codeOf(properties(field)[0]?.value ?? null);
  const inactive = properties('inactive')[0]?.value;
  return {
    code: context.code,
    kind,
    name: lookup.display,
    description: kind === 'AMP' ? text('DESC') : null,
    concept: medicineConcept(context.code, lookup.display),
    invalid: inactive?.type === 'boolean' ? inactive.value : false,
    ingredients: properties('VPI').flatMap(toIngredient),
    form: first('FORMCD'),
    routes: concepts('ROUTECD'),
    licensedRoutes: concepts('LIC_ROUTECD'),
    supplier: first('SUPPCD'),
    controlledDrug: first('CATCD'),
    availability: kind === 'VMP' ? first('NON_AVAILCD') : first('AVAIL_RESTRICTCD'),
    prescribingStatus: first('PRES_STATCD'),
    legalCategory: first('LEGAL_CATCD'),
    excipients: properties('AP_ING').flatMap((group) =>
      group.subproperties.filter((sub) => sub.code === 'ISID').flatMap((sub) => toConcepts(sub.value)),
    ),
    links: {
      vtm: linked('VTMID') ?? (kind === 'VMP' ? (parentCodes(lookup)[0] ?? null) : null),
      vmp: linked('VPID') ?? (kind === 'AMP' || kind === 'VMPP' ? (parentCodes(lookup)[0] ?? null) : null),
      amp: kind === 'AMPP' ? linked('APID') : null,
      vmpp: kind === 'AMPP' ? linked('VPPID') : null,
      children: properties('child').flatMap((p) => {
        const code = codeOf(p.value);
        return code === null ? [] : [code];
      }),
    },
    release: lookup.version,
    provenance: { source: SERVICE, retrievedAt: context.retrievedAt, stale: false },
  };
}

/** The dm+d class: the `parent` property whose value is a class name rather than a concept id. */
function kindOf(lookup: DmdLookup): MedicineKind | null {
  for (const property of lookup.properties) {
    if (property.code !== 'parent') continue;
    const code = codeOf(property.value);
    const kind = MEDICINE_KINDS.find((candidate) => candidate === code);
    if (kind !== undefined) return kind;
  }
  return null;
}

/** The concept ids among `parent` values (the class name is not one). */
const parentCodes = (lookup: DmdLookup): string[] =>
  lookup.properties.flatMap((property) => {
    if (property.code !== 'parent') return [];
    const code = codeOf(property.value);
    return code !== null && isMedicineCode(code) ? [code] : [];
  });

/** A code or Coding value's code. */
function codeOf(value: DmdValue | null): string | null {
  if (value?.type === 'code') return value.code;
  if (value?.type === 'coding') return value.coding.code ?? null;
  return null;
}

/**
 * The medicine as a Concept. dm+d codes are SNOMED CT concept ids, so the code is mapped, and the
 * codings name it under both systems records use (UK Core `https://dmd.nhs.uk`, GP Connect SNOMED).
 */
export function medicineConcept(code: string, display: string): Concept {
  return {
    code,
    display,
    codings: [
      { system: DMD_SYSTEM, code, display },
      { system: SNOMED_CT, code, display },
    ],
    mapped: true,
  };
}

/**
 * A coded property value as a Concept. Values under dm+d's system (ingredients, forms, routes,
 * units, suppliers) are SNOMED CT concepts, so mapped; dm+d lookup values (`0001` POM) are not,
 * and keep their coding as sent. A value that is not coded gives no Concept.
 */
function toConcepts(value: DmdValue): Concept[] {
  if (value.type !== 'coding' && value.type !== 'code') return [];
  const coding: Coding =
    value.type === 'coding'
      ? {
          system: value.coding.system ?? null,
          code: value.coding.code ?? null,
          display: value.coding.display ?? null,
        }
      : { system: null, code: value.code, display: null };
  if (coding.code === null) return [];
  const snomed =
    (coding.system === DMD_SYSTEM || coding.system === SNOMED_CT) && isMedicineCode(coding.code)
      ? coding.code
      : null;
  return [{ code: snomed, display: coding.display, codings: [coding], mapped: snomed !== null }];
}

/** One VPI row: the substance (ISID), its basis of strength and the strength, numerator over denominator. */
function toIngredient(group: DmdProperty): MedicineIngredient[] {
  const sub = (code: string) => group.subproperties.find((s) => s.code === code)?.value ?? null;
  const concept = (code: string) => {
    const value = sub(code);
    return value === null ? null : (toConcepts(value)[0] ?? null);
  };
  const substance = concept('ISID');
  if (substance === null) return [];
  const numerator = quantity(sub('STRNT_NMRTR_VAL'), concept('STRNT_NMRTR_UOMCD'));
  const denominator = quantity(sub('STRNT_DNMTR_VAL'), concept('STRNT_DNMTR_UOMCD'));
  return [
    {
      substance,
      basisOfStrength: concept('BASIS_STRNTCD'),
      basisSubstance: concept('BS_SUBID'),
      strength:
        numerator === null
          ? null
          : {
              numerator,
              denominator,
              text: denominator === null ? amount(numerator) : `${amount(numerator)}/${amount(denominator)}`,
            },
    },
  ];
}

function quantity(value: DmdValue | null, unit: Concept | null): MedicineQuantity | null {
  return value?.type === 'decimal' ? { value: value.value, unit } : null;
}

const amount = (q: MedicineQuantity) =>
  [String(q.value), q.unit?.display ?? q.unit?.codings[0]?.code].filter(Boolean).join(' ');

// ---------------------------------------------------------------------------------------------
// Terminology server errors -> graph errors. Messages are ours: OperationOutcome diagnostics never
// reach a client.

const { REJECTED, UNAVAILABLE, RATE_LIMITED, INVALID_RESPONSE } = commonUpstreamErrors(SERVICE);
export const NOT_FOUND: UpstreamErrorRule = {
  code: ErrorCode.NOT_FOUND,
  message: 'dm+d holds no medicine with this code.',
};

/**
 * The graph error for a terminology server answer that is not the data asked for (a whole
 * response, or one batch entry). `retryAfterSeconds` comes from a `Retry-After` header.
 */
export function toUpstreamError(
  status: number,
  outcome: DmdOperationOutcome | null,
  retryAfterSeconds?: number,
): GraphQLError {
  return upstreamRuleError(errorRule(status, outcome), { service: SERVICE, retryAfterSeconds });
}

function errorRule(status: number, outcome: DmdOperationOutcome | null): UpstreamErrorRule {
  if (status === 429) return RATE_LIMITED;
  if (status === 408 || status >= 500) return UNAVAILABLE;
  // A 404 is "no such code" only when the server says so (issue code not-found); a 404 without
  // one may be a gateway answering a wrong path, and "no such medicine" would then be untrue.
  if (status === 404)
    return outcome?.issue.some((issue) => issue.code === 'not-found') ? NOT_FOUND : REJECTED;
  // nhs-graph builds every request (and its credentials): a refusal is not the caller's fault.
  if (status >= 400) return REJECTED;
  return INVALID_RESPONSE;
}
