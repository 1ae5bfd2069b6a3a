// Loads what the GP Connect stand-in serves: the published Access Record Structured and
// Appointment Management examples (sandbox/fixtures/gpconnect/, provenance in
// sandbox/fixtures/PROVENANCE.md) and the derived records and scenarios in
// fixtures/derived/gpconnect-records.json (described in derived/README.md).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ROOT = new URL('../fixtures/', import.meta.url);
const INCLUDES = 'gpconnect/gpconnect/_includes/';

export type Json = Record<string, unknown>;

export const readExample = (path: string): Json =>
  JSON.parse(readFileSync(new URL(`${INCLUDES}${path}`, ROOT), 'utf8')) as Json;

const ResourceSchema = z.looseObject({ resourceType: z.string(), id: z.string().optional() });
const BundleSchema = z.looseObject({
  entry: z.array(z.looseObject({ resource: ResourceSchema.optional() })).optional(),
});

/** The resources of a published bundle, in order (entries without a resource are skipped). */
export function resourcesOf(bundle: Json): Json[] {
  return (BundleSchema.parse(bundle).entry ?? []).flatMap((entry) =>
    entry.resource ? [entry.resource] : [],
  );
}

const SectionSourceSchema = z
  .string()
  .regex(/^(example:[\w.]+|derived:[\w-]+|empty:(no-content-recorded|nil-known|unconfirmed))$/);
const DerivedSchema = z.object({
  records: z.array(
    z.object({
      nhsNumber: z.string().regex(/^\d{10}$/),
      allergies: SectionSourceSchema,
      medications: SectionSourceSchema,
      problems: SectionSourceSchema,
      immunisations: SectionSourceSchema,
    }),
  ),
  errors: z.array(
    z.object({
      nhsNumber: z.string().regex(/^\d{10}$/),
      status: z.number().int(),
      code: z.string(),
      why: z.string(),
    }),
  ),
  derived: z.record(z.string(), z.object({ list: ResourceSchema, conditions: z.array(ResourceSchema) })),
});
export type DerivedRecords = z.infer<typeof DerivedSchema>;
export type SectionSource = DerivedRecords['records'][number]['allergies'];

export function loadDerivedRecords(): DerivedRecords {
  return DerivedSchema.parse(
    JSON.parse(readFileSync(new URL('derived/gpconnect-records.json', ROOT), 'utf8')) as unknown,
  );
}

/** The structured-record examples by file name (loaded once per sandbox). */
export function loadStructuredExamples(files: readonly string[]): Map<string, Json> {
  return new Map(files.map((file) => [file, readExample(`accessrecord_structured/${file}`)]));
}

/** The example Patient every published structured example shares, whose id and number are replaced. */
export const EXAMPLE_PATIENT_ID = '04603d77-1a4e-4d63-b246-d7504f8bd833';
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

/**
 * A deep copy with every NHS-number identifier set to `nhsNumber` and every reference to the
 * example Patient pointed at `patientId` (the published examples all describe 9999999999).
 */
export function forPatient<T>(value: T, nhsNumber: string, patientId: string): T {
  const walk = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item !== 'object' || item === null) return item;
    const record = item as Json;
    if (record['system'] === NHS_NUMBER_SYSTEM && 'value' in record) return { ...record, value: nhsNumber };
    return Object.fromEntries(
      Object.entries(record).map(([key, inner]) => {
        if (key === 'reference' && inner === `Patient/${EXAMPLE_PATIENT_ID}`)
          return [key, `Patient/${patientId}`];
        if (key === 'id' && inner === EXAMPLE_PATIENT_ID) return [key, patientId];
        return [key, walk(inner)];
      }),
    );
  };
  return walk(value) as T;
}
