// Composes every subgraph's SDL into schema/supergraph.graphql (Federation 2, with the MIT
// @theguild/federation-composition). `--check` fails when the committed file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { localUrl } from '../platform/config.js';
import { loadSubgraphTypeDefs } from '../platform/subgraph.js';
import { subgraphRegistry } from '../subgraphs/registry.js';

const SUPERGRAPH = new URL('../schema/supergraph.graphql', import.meta.url);
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

const supergraph = `${result.supergraphSdl.trim()}\n`;
if (process.argv.includes('--check')) {
  const committed = readFileSync(SUPERGRAPH, 'utf8');
  if (committed !== supergraph) {
    console.error('schema/supergraph.graphql is out of date: run `npm run compose` and commit it.');
    process.exit(1);
  }
  console.log('schema/supergraph.graphql is up to date.');
} else {
  writeFileSync(SUPERGRAPH, supergraph);
  console.log(`Composed ${subgraphRegistry.length} subgraph(s) into schema/supergraph.graphql`);
}
