// Composes every subgraph's SDL into schema/supergraph.graphql (Federation 2, with the MIT
// @theguild/federation-composition), and writes the public schema clients see (no federation
// directives or join types) to schema/public.graphql for frontend teams, partners and the
// breaking-change check (scripts/schema-changes.ts). `--check` fails when either committed file
// is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { localUrl } from '../platform/config.js';
import { loadSubgraphTypeDefs } from '../platform/subgraph.js';
import { subgraphRegistry } from '../subgraphs/registry.js';

const SUPERGRAPH = new URL('../schema/supergraph.graphql', import.meta.url);
const PUBLIC_SCHEMA = new URL('../schema/public.graphql', import.meta.url);
// Default (local) URLs keep the committed file deterministic; the gateway overrides them from config.

const result = composeServices(
  subgraphRegistry.map(({ name, schemaFile, port }) => ({
    name,
    typeDefs: loadSubgraphTypeDefs(schemaFile),
    url: `${localUrl(port)}/graphql`,
  })),
);

if (compositionHasErrors(result)) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}

const outputs = [
  { file: SUPERGRAPH, name: 'schema/supergraph.graphql', text: `${result.supergraphSdl.trim()}\n` },
  { file: PUBLIC_SCHEMA, name: 'schema/public.graphql', text: `${result.publicSdl.trim()}\n` },
];
if (process.argv.includes('--check')) {
  const stale = outputs.filter(({ file, text }) => readFileSync(file, 'utf8') !== text);
  for (const { name } of stale)
    console.error(`${name} is out of date: run \`npm run compose\` and commit it.`);
  if (stale.length > 0) process.exit(1);
  console.log('schema/supergraph.graphql and schema/public.graphql are up to date.');
} else {
  for (const { file, text } of outputs) writeFileSync(file, text);
  console.log(
    `Composed ${subgraphRegistry.length} subgraph(s) into schema/supergraph.graphql and schema/public.graphql`,
  );
}
