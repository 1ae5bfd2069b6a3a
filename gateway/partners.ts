// Partners are onboarded by configuration, never by gateway code: each has a folder
// schema/partners/<clientId>/ with partner.json (client id, scopes, rate limit), the operations it
// may run as .graphql documents, and the manifest `npm run codegen` writes from them
// (__generated__/manifest.json, Apollo's persisted-query-manifest format).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildASTSchema, parse, type GraphQLSchema } from 'graphql';
import { transformSupergraphToPublicSchema } from '@theguild/federation-composition';
import { z } from 'zod';
import { PartnerScope } from '../platform/rbac.js';

export const PARTNERS_DIR = fileURLToPath(new URL('../schema/partners/', import.meta.url));
export const PARTNER_CONFIG_FILE = 'partner.json';
export const MANIFEST_FILE = join('__generated__', 'manifest.json');

export const PartnerConfigSchema = z.strictObject({
  /** The OAuth client id the partner issuer puts in `client_id`; also the folder name. */
  clientId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  /** Who the partner is, for people reading logs and this folder. */
  name: z.string().min(1),
  /** The scopes the partner is onboarded for; a token carrying any other scope is refused. */
  scopes: z.array(z.enum(Object.values(PartnerScope))).min(1),
  rateLimit: z.strictObject({
    requests: z.number().int().positive(),
    windowSeconds: z.number().int().positive(),
  }),
});
export type PartnerConfig = z.infer<typeof PartnerConfigSchema>;

const OperationSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest'),
  name: z.string().min(1),
  type: z.enum(['query', 'mutation', 'subscription']),
  body: z.string().min(1),
});
export type PersistedOperation = z.infer<typeof OperationSchema>;

export const ManifestSchema = z.strictObject({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(OperationSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** A persisted document's id: the sha256 hex digest of its exact text (Apollo's APQ and manifests). */
export const documentIdOf = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex');

export interface Partner {
  config: PartnerConfig;
  /** The partner's safelist, by document id. */
  operations: ReadonlyMap<string, PersistedOperation>;
}

export interface PartnerDirectory {
  partner(clientId: string): Partner | undefined;
  /** Whether some partner's manifest holds this document id (to tell "not yours" from "unknown"). */
  isKnownDocument(id: string): boolean;
  readonly partners: readonly Partner[];
}

export class PartnerConfigError extends Error {
  override name = 'PartnerConfigError';
}

/** Reads every partner folder; throws (so the gateway does not start) on anything malformed. */
export function loadPartners(dir: string = PARTNERS_DIR): PartnerDirectory {
  const partners = partnerFolders(dir).map((folder) => loadPartner(join(dir, folder), folder));
  const byClient = new Map(partners.map((partner) => [partner.config.clientId, partner]));
  const allIds = new Set(partners.flatMap((partner) => [...partner.operations.keys()]));
  return {
    partners,
    partner: (clientId) => byClient.get(clientId),
    isKnownDocument: (id) => allIds.has(id),
  };
}

/** Every partner's persisted operation names: the only client-chosen names that become metric labels. */
export function partnerOperationNames(directory: PartnerDirectory = loadPartners()): string[] {
  return directory.partners.flatMap((partner) => [...partner.operations.values()].map(({ name }) => name));
}

export function partnerFolders(dir: string = PARTNERS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, PARTNER_CONFIG_FILE)))
    .map((entry) => entry.name)
    .sort();
}

function loadPartner(folder: string, folderName: string): Partner {
  const config = parseJsonFile(join(folder, PARTNER_CONFIG_FILE), PartnerConfigSchema);
  if (config.clientId !== folderName) {
    throw new PartnerConfigError(`${folderName}/${PARTNER_CONFIG_FILE}: clientId must be '${folderName}'`);
  }
  const manifestFile = join(folder, MANIFEST_FILE);
  if (!existsSync(manifestFile)) {
    throw new PartnerConfigError(`${folderName}: no ${MANIFEST_FILE}; run npm run codegen`);
  }
  const manifest = parseJsonFile(manifestFile, ManifestSchema);
  for (const operation of manifest.operations) {
    // A hand-edited body would otherwise run under an id that names a different document.
    if (documentIdOf(operation.body) !== operation.id) {
      throw new PartnerConfigError(`${folderName}: operation ${operation.name} does not match its id`);
    }
  }
  return { config, operations: new Map(manifest.operations.map((operation) => [operation.id, operation])) };
}

function parseJsonFile<T>(file: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PartnerConfigError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new PartnerConfigError(`${file}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The schema clients see (the supergraph without federation's machinery), to validate operations. */
export function publicSchemaOf(supergraphSdl: string): GraphQLSchema {
  return buildASTSchema(transformSupergraphToPublicSchema(parse(supergraphSdl)), { assumeValidSDL: true });
}
