// Every variable of every process, by the module that declares it: the shared ones
// (platform/config.ts), the gateway's (gateway/config.ts) and each subgraph's (its manifest.ts).
// The stack launcher validates them all before starting anything; the configuration reference
// (scripts/config-reference.ts) is generated from the same list.
import { gatewayVariables } from '../gateway/config.js';
import { readEnvironment, sharedVariables, type VariableShape } from '../platform/config.js';
import { subgraphVariables } from '../platform/manifest.js';
import { subgraphRegistry } from '../subgraphs/registry.js';

export interface ConfigurationModule {
  /** Heading in the reference, e.g. `gateway`. */
  title: string;
  /** Where its variables are declared. */
  file: string;
  description: string;
  variables: VariableShape;
}

export const configurationModules: readonly ConfigurationModule[] = [
  {
    title: 'Shared',
    file: 'platform/config.ts',
    description:
      'Read by every process: environment, logging, stores, secrets, upstream retries, cache tiers.',
    variables: sharedVariables,
  },
  {
    title: 'Gateway',
    file: 'gateway/config.ts',
    description:
      "The public edge: port, CORS, query and rate limits, admission, operators' endpoints, token issuers. It also reads each subgraph's URL variable.",
    variables: gatewayVariables,
  },
  ...subgraphRegistry.map((manifest) => ({
    title: `Subgraph: ${manifest.name}`,
    file: `subgraphs/${manifest.name}/manifest.ts`,
    description: manifest.description,
    variables: subgraphVariables(manifest),
  })),
];

/** Validates every process's variables together; throws one ConfigError naming every bad one. */
export function loadSystemConfig(env: NodeJS.ProcessEnv = process.env): void {
  readEnvironment(
    Object.assign({}, ...configurationModules.map((module) => module.variables)) as VariableShape,
    env,
  );
}
