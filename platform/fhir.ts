// FHIR R4 datatypes every subgraph reads, as zod schemas, and the pure helpers that turn them into
// canonical values. Schemas are lenient: unknown properties are ignored rather than rejected,
// because upstreams add extensions and elements faster than we add mappings.
import { z } from 'zod';
import type { Coding, Concept, Period } from './canonical.js';

export const SNOMED_CT = 'http://snomed.info/sct';

export const CodingSchema = z.object({
  system: z.string().optional(),
  version: z.string().optional(),
  code: z.string().optional(),
  display: z.string().optional(),
});
export type FhirCoding = z.infer<typeof CodingSchema>;

export const CodeableConceptSchema = z.object({
  coding: z.array(CodingSchema).optional(),
  text: z.string().optional(),
});
export type FhirCodeableConcept = z.infer<typeof CodeableConceptSchema>;

export const PeriodSchema = z.object({
  start: z.string().optional(),
  end: z.string().optional(),
});
export type FhirPeriod = z.infer<typeof PeriodSchema>;

export interface FhirExtension {
  url: string;
  extension?: FhirExtension[] | undefined;
  /** value[x] and anything else, left unparsed: read with a schema where it is used. */
  [element: string]: unknown;
}

// Only `url` and nesting are checked. An extension's value[x] is parsed where it is read
// (see `extensionValue`), so a malformed extension we do not use never rejects a resource.
export const ExtensionSchema: z.ZodType<FhirExtension> = z.looseObject({
  url: z.string(),
  get extension() {
    return z.array(ExtensionSchema).optional();
  },
});

export const OperationOutcomeIssueSchema = z.object({
  // FHIR binds severity and code to value sets; kept as strings so an unexpected value does
  // not lose the rest of an error payload.
  severity: z.string(),
  code: z.string(),
  details: CodeableConceptSchema.optional(),
  diagnostics: z.string().optional(),
});

export const OperationOutcomeSchema = z.object({
  resourceType: z.literal('OperationOutcome'),
  issue: z.array(OperationOutcomeIssueSchema).min(1),
});
export type FhirOperationOutcome = z.infer<typeof OperationOutcomeSchema>;

export function toCoding(coding: FhirCoding): Coding {
  return { system: coding.system ?? null, code: coding.code ?? null, display: coding.display ?? null };
}

/**
 * A CodeableConcept as a canonical Concept: the SNOMED CT code when one of its codings is SNOMED,
 * otherwise unmapped. Every original coding is kept either way, so nothing is lost.
 */
export function toConcept(codeableConcept: FhirCodeableConcept): Concept {
  const codings = codeableConcept.coding ?? [];
  const snomed = codings.find((c) => c.system === SNOMED_CT && c.code !== undefined);
  const display =
    snomed?.display ?? codings.find((c) => c.display !== undefined)?.display ?? codeableConcept.text;
  return {
    code: snomed?.code ?? null,
    display: display ?? null,
    codings: codings.map(toCoding),
    mapped: snomed !== undefined,
  };
}

export function toPeriod(period: FhirPeriod | undefined): Period | null {
  if (period === undefined) return null;
  return { start: period.start ?? null, end: period.end ?? null };
}

const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/**
 * Whether a period ended before `at` (an ISO instant). A date-only end is inclusive of that whole
 * day (or month, or year), as FHIR dates are; an open or unreadable end has not ended.
 */
export function hasEnded(period: FhirPeriod | undefined, at: string): boolean {
  const end = period?.end;
  if (end === undefined) return false;
  if (PARTIAL_DATE.test(end)) return end < at.slice(0, end.length);
  const endMs = Date.parse(end);
  const atMs = Date.parse(at);
  if (Number.isNaN(endMs) || Number.isNaN(atMs)) return false;
  return endMs < atMs;
}

export function findExtension(
  extensions: readonly FhirExtension[] | undefined,
  url: string,
): FhirExtension | undefined {
  return extensions?.find((e) => e.url === url);
}

/** An extension's value[x] (e.g. `valueCodeableConcept`) read with `schema`; undefined if absent or malformed. */
export function extensionValue<T>(
  extension: FhirExtension | undefined,
  element: `value${string}`,
  schema: z.ZodType<T>,
): T | undefined {
  if (extension === undefined) return undefined;
  const parsed = schema.safeParse(extension[element]);
  return parsed.success ? parsed.data : undefined;
}

export type ParseResult<T> =
  | { success: true; data: T }
  /** `issues` are paths and rule names only, never values, so they are safe to log. */
  | { success: false; issues: string[] };

/** Validates an upstream payload against its zod schema; never throws. */
export function parseWith<T>(schema: z.ZodType<T>, json: unknown): ParseResult<T> {
  try {
    const result = schema.safeParse(json);
    if (result.success) return { success: true, data: result.data };
    return {
      success: false,
      issues: result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.code}`),
    };
  } catch {
    // safeParse reports rather than throws; this guards the promise that parsing never throws.
    return { success: false, issues: ['unparseable'] };
  }
}

/**
 * A FHIR searchset Bundle envelope; entries are checked by type by the caller. `entry` is absent
 * when nothing matched.
 */
export const SearchsetBundleSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('searchset'),
  total: z.number().int().nonnegative().optional(),
  entry: z
    .array(
      z.object({
        resource: z.looseObject({ resourceType: z.string() }),
        search: z.object({ mode: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
