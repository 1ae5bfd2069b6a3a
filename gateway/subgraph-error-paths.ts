// Where a missing part of the answer is. When a subgraph cannot be reached for an entity's
// fields, the Rust executor reports the error at the entity (['patient']), not at the fields that
// are missing (['patient', 'allergies']) as the JavaScript executor did; a client placing errors
// by path would then think the whole patient failed. For such an error, the fields under its path
// that came back null and that only that subgraph resolves (by the supergraph's join directives)
// each get the error instead. Fields another subgraph could answer are never blamed; when none
// qualifies, the error stays where it was.
import { readFileSync } from 'node:fs';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, Kind, parse, type ConstDirectiveNode, type ExecutionResult } from 'graphql';
import { ErrorCode } from '../platform/errors.js';

/** Field name -> the subgraphs that resolve a field of that name, on any type. */
export type FieldOwners = ReadonlyMap<string, ReadonlySet<string>>;

const stringArgument = (directive: ConstDirectiveNode, name: string): string | undefined => {
  const value = directive.arguments?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : value?.kind === Kind.ENUM ? value.value : undefined;
};

export function fieldOwners(supergraphSdl: string): FieldOwners {
  const document = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  const owners = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph')
      for (const value of definition.values ?? []) {
        const join = value.directives?.find((d) => d.name.value === 'join__graph');
        const name = join && stringArgument(join, 'name');
        if (name) graphNames.set(value.name.value, name);
      }
  }
  const graphsOf = (directives: readonly ConstDirectiveNode[] | undefined, directive: string) =>
    (directives ?? [])
      .filter((d) => d.name.value === directive)
      .map((d) => graphNames.get(stringArgument(d, 'graph') ?? ''))
      .filter((name): name is string => name !== undefined);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION)
      continue;
    const typeGraphs = graphsOf(definition.directives, 'join__type');
    for (const field of definition.fields ?? []) {
      const fieldGraphs = graphsOf(field.directives, 'join__field');
      const set = owners.get(field.name.value) ?? new Set<string>();
      for (const graph of fieldGraphs.length > 0 ? fieldGraphs : typeGraphs) set.add(graph);
      owners.set(field.name.value, set);
    }
  }
  return owners;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
    data,
  );
}

/** The error, or one copy per missing field it explains. */
export function placeSubgraphError(error: GraphQLError, data: unknown, owners: FieldOwners): GraphQLError[] {
  const subgraph = error.extensions['subgraph'] ?? error.extensions['serviceName'];
  if (!isSubgraphUnavailable(error) || typeof subgraph !== 'string' || !error.path) return [error];
  const at = valueAt(data, error.path);
  if (at === null || typeof at !== 'object' || Array.isArray(at)) return [error];
  const missing = Object.entries(at as Record<string, unknown>)
    .filter(([key, value]) => {
      const resolvers = owners.get(key);
      return value === null && resolvers?.size === 1 && resolvers.has(subgraph);
    })
    .map(([key]) => key);
  if (missing.length === 0) return [error];
  return missing.map(
    (key) =>
      new GraphQLError(error.message, {
        ...(error.nodes ? { nodes: error.nodes } : {}),
        path: [...error.path!, key],
        extensions: error.extensions,
      }),
  );
}

/** Hive's own code, or ours once gateway/errors.ts has masked it (plugin order aside). */
const isSubgraphUnavailable = (error: { extensions?: Record<string, unknown> }) =>
  error.extensions?.['code'] === ErrorCode.SUBGRAPH_UNAVAILABLE ||
  error.extensions?.['code'] === 'SUBREQUEST_HTTP_ERROR';

export function useSubgraphErrorPaths(supergraphPath: string): GatewayPlugin {
  const owners = fieldOwners(readFileSync(supergraphPath, 'utf8'));
  return {
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (Symbol.asyncIterator in (result as object)) return;
        const single = result as ExecutionResult;
        if (!single.errors?.some(isSubgraphUnavailable)) return;
        setResult({
          ...single,
          errors: single.errors.flatMap((e) => placeSubgraphError(e, single.data, owners)),
        });
      },
    }),
  };
}
