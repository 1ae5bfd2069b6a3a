// Loads what the ODS stand-in serves: the ODS implementation guide's published examples (XML,
// copied into sandbox/fixtures/ods/, provenance in sandbox/fixtures/PROVENANCE.md), converted to
// FHIR JSON at start, plus the GP practices derived from one of them (sandbox/fixtures/derived/).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fhirXmlToJson } from './fhir-xml.js';

const ROOT = new URL('../fixtures/', import.meta.url);
export const IG_EXAMPLES = 'ods/NHSEnglandProgrammeImplementationGuides/backup/examples/';
export const ODS_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** The IG's stand-alone Organization and OrganizationAffiliation examples, served as they are. */
const ORGANIZATION_FILES = ['4VE03', 'FCE71', 'FDC49', 'G81086', 'Q72'].map(
  (code) => `ODS-Organization-${code}-Example.xml`,
);
const AFFILIATION_FILES = ['256248', '383689'].map((id) => `ODS-OrganizationAffiliation-${id}-Example.xml`);

export type FhirResource = Record<string, unknown> & { resourceType: string; id: string };

// Loose: someone else's payloads. We check what the stand-in reads and keep the rest as converted.
const Identifier = z.looseObject({ system: z.string().optional(), value: z.string().optional() });
const OrganizationSchema = z.looseObject({
  resourceType: z.literal('Organization'),
  id: z.string(),
  identifier: z.array(Identifier).min(1),
  name: z.string(),
});
const Reference = z.looseObject({ reference: z.string().optional(), identifier: Identifier });
const AffiliationSchema = z.looseObject({
  resourceType: z.literal('OrganizationAffiliation'),
  id: z.string(),
  identifier: z.array(Identifier).min(1),
  organization: Reference,
  participatingOrganization: Reference,
});

export function readIgExample(file: string): Record<string, unknown> {
  return fhirXmlToJson(readFileSync(new URL(`${IG_EXAMPLES}${file}`, ROOT), 'utf8'));
}

export const odsCodeOf = (resource: { identifier: Array<z.infer<typeof Identifier>> }): string | undefined =>
  resource.identifier.find((identifier) => identifier.system === ODS_CODE_SYSTEM)?.value;

/**
 * The IG's stand-alone examples carry Simplifier ids (`ODS-Organization-G81086-Example`); the API
 * itself answers with the ODS code as the id and references by it (ODT specification example RR8;
 * the IG's own Bundle examples: `<id value="G81086"/>`, `Organization/FDC49`). Served as the API does.
 */
function asServed(raw: Record<string, unknown>, file: string): FhirResource {
  const organization = OrganizationSchema.safeParse(raw);
  if (organization.success) {
    const code = odsCodeOf(organization.data);
    if (code === undefined) throw new Error(`ODS fixture ${file} has no ODS code`);
    return { ...raw, resourceType: 'Organization', id: code };
  }
  const affiliation = AffiliationSchema.parse(raw);
  const instance = affiliation.identifier[0]?.value;
  const source = affiliation.organization.identifier.value;
  const target = affiliation.participatingOrganization.identifier.value;
  if (instance === undefined || source === undefined || target === undefined) {
    throw new Error(`ODS fixture ${file} lacks an identifier or organisation code`);
  }
  return {
    ...raw,
    resourceType: 'OrganizationAffiliation',
    id: instance,
    organization: { ...affiliation.organization, reference: `Organization/${source}` },
    participatingOrganization: {
      ...affiliation.participatingOrganization,
      reference: `Organization/${target}`,
    },
  };
}

const DerivedPracticesSchema = z.object({
  practices: z.array(
    z.object({
      odsCode: z.string().regex(/^[0-9A-Z]{3,10}$/),
      name: z.string().min(1),
      telephone: z.string().min(1),
      address: z.object({
        line: z.array(z.string()),
        city: z.string(),
        district: z.string(),
        postalCode: z.string(),
        country: z.string(),
      }),
    }),
  ),
});

/** GP practices the PDS fixtures and synthetic patients use, derived from G81086 (see derived/README.md). */
function derivedPractices(template: FhirResource): FhirResource[] {
  const file = JSON.parse(readFileSync(new URL('derived/ods-gp-practices.json', ROOT), 'utf8')) as unknown;
  const identifiers = OrganizationSchema.parse(template).identifier;
  return DerivedPracticesSchema.parse(file).practices.map((practice) => ({
    ...template,
    id: practice.odsCode,
    identifier: identifiers.map((identifier) =>
      identifier.system === ODS_CODE_SYSTEM ? { ...identifier, value: practice.odsCode } : identifier,
    ),
    name: practice.name,
    telecom: [{ system: 'phone', value: practice.telephone }],
    address: [practice.address],
  }));
}

export interface OdsFixtures {
  /** By ODS code. */
  organisations: Map<string, FhirResource>;
  /** By relationship instance id. */
  affiliations: Map<string, FhirResource>;
}

export function loadOdsFixtures(): OdsFixtures {
  const organisations = new Map<string, FhirResource>();
  for (const file of ORGANIZATION_FILES) {
    const resource = asServed(readIgExample(file), file);
    organisations.set(resource.id, resource);
  }
  const template = organisations.get('G81086');
  if (template === undefined) throw new Error('the G81086 ODS example is missing');
  for (const practice of derivedPractices(template)) {
    // Published examples win: a derived code never shadows a real one.
    if (!organisations.has(practice.id)) organisations.set(practice.id, practice);
  }
  const affiliations = new Map<string, FhirResource>();
  for (const file of AFFILIATION_FILES) {
    const resource = asServed(readIgExample(file), file);
    affiliations.set(resource.id, resource);
  }
  return { organisations, affiliations };
}
