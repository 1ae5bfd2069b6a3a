// Part of `npm run codegen`: writes each partner's persisted-operation manifest,
// schema/partners/<clientId>/__generated__/manifest.json, from the .graphql documents in its
// folder. Every document must hold exactly one named operation that is valid against the
// committed supergraph, so a partner's safelist can never hold an operation the graph refuses.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import {
  documentIdOf,
  loadPartners,
  MANIFEST_FILE,
  PARTNERS_DIR,
  partnerFolders,
  publicSchemaOf,
  type Manifest,
} from '../gateway/partners.js';

const SUPERGRAPH = new URL('../schema/supergraph.graphql', import.meta.url);

export interface OperationDocument {
  /** File name, for messages. */
  file: string;
  text: string;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * The manifest for one partner's documents. Bodies are the documents printed canonically, so
 * comments and formatting in the source do not change an operation's id; ids are the sha256 of
 * the body, as Apollo's persisted-query tooling computes them.
 */
export function buildManifest(documents: OperationDocument[], schema: GraphQLSchema): Manifest {
  const operations = [...documents]
    .sort((a, b) => a.file.localeCompare(b.file))
    .map(({ file, text }) => {
      const document = parseDocument(file, text);
      const errors = validate(schema, document);
      if (errors.length > 0) {
        throw new ManifestError(`${file}: ${errors.map((error) => error.message).join('; ')}`);
      }
      const operation = onlyOperation(file, document.definitions);
      const body = print(document);
      return { id: documentIdOf(body), name: operation.name.value, type: operation.operation, body };
    });
  const names = operations.map((operation) => operation.name);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) throw new ManifestError(`operation names used twice: ${repeated.join(', ')}`);
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

function parseDocument(file: string, text: string) {
  try {
    return parse(text, { noLocation: true });
  } catch (error) {
    throw new ManifestError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

type NamedOperation = OperationDefinitionNode & { name: NonNullable<OperationDefinitionNode['name']> };

function onlyOperation(file: string, definitions: ReadonlyArray<{ kind: Kind }>): NamedOperation {
  const operations = definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const [operation] = operations;
  if (operations.length !== 1 || operation === undefined) {
    throw new ManifestError(`${file}: must hold exactly one operation (it has ${operations.length})`);
  }
  if (!operation.name) throw new ManifestError(`${file}: the operation must be named`);
  return operation as NamedOperation;
}

/** Every partner's manifest, by client id, built from the documents on disk. */
export function buildAllManifests(
  partnersDir: string = PARTNERS_DIR,
  supergraphSdl: string = readFileSync(SUPERGRAPH, 'utf8'),
): Map<string, Manifest> {
  const schema = publicSchemaOf(supergraphSdl);
  return new Map(
    partnerFolders(partnersDir).map((clientId) => {
      const folder = join(partnersDir, clientId);
      const documents = readdirSync(folder)
        .filter((file) => file.endsWith('.graphql'))
        .map((file) => ({ file: `${clientId}/${file}`, text: readFileSync(join(folder, file), 'utf8') }));
      return [clientId, buildManifest(documents, schema)];
    }),
  );
}

export const manifestText = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

function main(): void {
  for (const [clientId, manifest] of buildAllManifests()) {
    const file = join(PARTNERS_DIR, clientId, MANIFEST_FILE);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, manifestText(manifest));
    console.log(`${clientId}: ${manifest.operations.length} operation(s) -> ${file}`);
  }
  // Refuse to finish with a partner folder the gateway could not load.
  loadPartners();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
