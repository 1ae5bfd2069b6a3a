// Composes the benchmark subgraphs into a supergraph with the product's composer
// (@theguild/federation-composition, MIT), pointing at where they listen in this run.
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { BENCH_SUBGRAPHS, type BenchSubgraphName } from './schemas.js';

export function composeBenchSupergraph(urls: Record<BenchSubgraphName, string>): string {
  const result = composeServices(
    BENCH_SUBGRAPHS.map(({ name, typeDefs }) => ({ name, typeDefs, url: urls[name] })),
  );
  if (compositionHasErrors(result)) {
    throw new Error(`bench supergraph does not compose:\n${result.errors.map((e) => e.message).join('\n')}`);
  }
  return `${result.supergraphSdl.trim()}\n`;
}
