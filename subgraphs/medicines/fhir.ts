// The terminology server payloads nhs-graph accepts for dm+d (FHIR R4; the NHS England Terminology
// Server, Ontoserver, serves dm+d as the code system https://dmd.nhs.uk):
// - CodeSystem/$lookup answers: a Parameters resource with name, version, display and one
//   `property` per value (part `code`, then `value` or `subproperty` parts);
// - a `batch-response` Bundle of them, one entry per $lookup asked, in the order asked;
// - ValueSet/$expand answers: a ValueSet whose expansion lists matching codes;
// - OperationOutcome errors.
// Property codes are dm+d's XML field names (VTMID, VPID, FORMCD, ROUTECD, CATCD, PRES_STATCD, VPI
// with subproperties ISID, STRNT_NMRTR_VAL, …), `parent` (the concept class, then parent concepts),
// `child` and `inactive`; sandbox/README.md ("dm+d") says which of this is evidenced and which assumed.
// Lenient to what we do not read; strict on what we do: a payload that fails here is never mapped.
import { z } from 'zod';
import {
  CodingSchema,
  OperationOutcomeSchema,
  parseWith,
  type FhirCoding,
  type ParseResult,
} from '../../platform/fhir.js';

export const DMD_SYSTEM = 'https://dmd.nhs.uk';
/** The implicit value set of every dm+d concept, for name search. */
export const DMD_ALL_VALUE_SET = `${DMD_SYSTEM}?fhir_vs`;
/** The value set of one dm+d class (`VTM`, `VMP`, …), as the NHS England Terminology Server names it. */
export const dmdClassValueSet = (cls: string) => `${DMD_SYSTEM}/ValueSet/${cls}`;

/** One value of a $lookup property or subproperty, by its FHIR type. */
export type DmdValue =
  | { type: 'code'; code: string }
  | { type: 'coding'; coding: FhirCoding }
  | { type: 'decimal'; value: number }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean };

export interface DmdProperty {
  code: string;
  /** Null for a group (e.g. one VPI ingredient row), whose values are its subproperties. */
  value: DmdValue | null;
  subproperties: Array<{ code: string; value: DmdValue }>;
}

/** A $lookup answer, read. */
export interface DmdLookup {
  /** The code system version the answer comes from (the dm+d release). */
  version: string | null;
  display: string;
  properties: DmdProperty[];
}

interface FhirPart {
  name: string;
  part?: FhirPart[] | undefined;
  [value: `value${string}`]: unknown;
}

const PartSchema: z.ZodType<FhirPart> = z.looseObject({
  name: z.string(),
  get part() {
    return z.array(PartSchema).optional();
  },
});

const ParametersSchema = z.object({
  resourceType: z.literal('Parameters'),
  parameter: z.array(PartSchema).optional(),
});

/**
 * The value a part carries. FHIR names the part `value` and types it by its `value[x]` element;
 * Ontoserver has also been seen to name a subproperty's value part by its type (`valueDecimal`),
 * so that is read too. Unknown types are no value (ignored, not an error).
 */
function valueOf(part: FhirPart): DmdValue | null {
  if (typeof part['valueCode'] === 'string') return { type: 'code', code: part['valueCode'] };
  const coding = CodingSchema.safeParse(part['valueCoding']);
  if (part['valueCoding'] !== undefined && coding.success) return { type: 'coding', coding: coding.data };
  for (const element of ['valueDecimal', 'valueInteger'] as const) {
    const value = part[element];
    if (typeof value === 'number' && Number.isFinite(value)) return { type: 'decimal', value };
  }
  if (typeof part['valueString'] === 'string') return { type: 'string', value: part['valueString'] };
  if (typeof part['valueBoolean'] === 'boolean') return { type: 'boolean', value: part['valueBoolean'] };
  return null;
}

const isValuePart = (part: FhirPart) => part.name === 'value' || part.name.startsWith('value');
const codeOf = (parts: readonly FhirPart[]) => {
  const code = parts.find((part) => part.name === 'code')?.['valueCode'];
  return typeof code === 'string' ? code : undefined;
};

function readProperty(parts: readonly FhirPart[]): DmdProperty | null {
  const code = codeOf(parts);
  if (code === undefined) return null;
  const valuePart = parts.find(isValuePart);
  const subproperties = parts
    .filter((part) => part.name === 'subproperty')
    .flatMap((sub) => {
      const subParts = sub.part ?? [];
      const subCode = codeOf(subParts);
      const subValue = subParts.find(isValuePart);
      const value = subValue === undefined ? null : valueOf(subValue);
      return subCode === undefined || value === null ? [] : [{ code: subCode, value }];
    });
  return { code, value: valuePart === undefined ? null : valueOf(valuePart), subproperties };
}

export const DmdLookupSchema: z.ZodType<DmdLookup> = ParametersSchema.transform((parameters, context) => {
  const all = parameters.parameter ?? [];
  const display = all.find((p) => p.name === 'display')?.['valueString'];
  // FHIR $lookup: `display` is 1..1; without it there is no name to show.
  if (typeof display !== 'string' || display.trim() === '') {
    context.addIssue({ code: 'custom', path: ['parameter'], message: 'no display' });
    return z.NEVER;
  }
  const version = all.find((p) => p.name === 'version')?.['valueString'];
  const properties = all
    .filter((p) => p.name === 'property')
    .flatMap((p) => {
      const property = readProperty(p.part ?? []);
      return property === null ? [] : [property];
    });
  return { version: typeof version === 'string' ? version : null, display, properties };
});

export const BatchResponseSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('batch-response'),
  entry: z
    .array(
      z.object({
        resource: z.unknown().optional(),
        // FHIR R4 Bundle.entry.response.status: the HTTP status code, optionally with its reason.
        response: z.object({ status: z.string(), outcome: z.unknown().optional() }),
      }),
    )
    .optional(),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;

export const ExpansionSchema = z.object({
  resourceType: z.literal('ValueSet'),
  expansion: z.object({
    total: z.number().int().nonnegative().optional(),
    parameter: z
      .array(
        z.looseObject({
          name: z.string(),
          valueUri: z.string().optional(),
          valueString: z.string().optional(),
        }),
      )
      .optional(),
    contains: z
      .array(
        z.object({
          system: z.string().optional(),
          code: z.string().optional(),
          display: z.string().optional(),
          inactive: z.boolean().optional(),
        }),
      )
      .optional(),
  }),
});
export type Expansion = z.infer<typeof ExpansionSchema>;

export const DmdOperationOutcomeSchema = OperationOutcomeSchema;
export type DmdOperationOutcome = z.infer<typeof DmdOperationOutcomeSchema>;

export type { ParseResult };

export const parseDmdLookup = (json: unknown): ParseResult<DmdLookup> => parseWith(DmdLookupSchema, json);
export const parseBatchResponse = (json: unknown): ParseResult<BatchResponse> =>
  parseWith(BatchResponseSchema, json);
export const parseExpansion = (json: unknown): ParseResult<Expansion> => parseWith(ExpansionSchema, json);
export const parseDmdOperationOutcome = (json: unknown): ParseResult<DmdOperationOutcome> =>
  parseWith(DmdOperationOutcomeSchema, json);

/** The HTTP status at the start of a batch entry's `response.status` (`404 Not Found`), or null. */
export function entryStatus(status: string): number | null {
  const match = /^\s*(\d{3})\b/.exec(status);
  return match ? Number(match[1]) : null;
}

/** The dm+d version an expansion used (its `used-codesystem` parameter, `https://dmd.nhs.uk|<version>`). */
export function expansionVersion(expansion: Expansion): string | null {
  const used = expansion.expansion.parameter?.find(
    (p) => p.name === 'used-codesystem' && p.valueUri?.startsWith(`${DMD_SYSTEM}|`),
  );
  return used?.valueUri?.slice(DMD_SYSTEM.length + 1) || null;
}
