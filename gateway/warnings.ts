// Subgraph warnings reach the client: Hive Gateway merges subgraph `data` and `errors` but not a
// subgraph response's `extensions`, so this plugin collects each subgraph's
// `extensions.warnings` (platform/subgraph.ts, e.g. STALE_DATA when demographics served a cached
// record because PDS failed) and adds them to the client's response `extensions.warnings`, each
// with the subgraph it came from. A warning's `path` is the subgraph's: the client's path for a
// root field (`["patient"]`), `["_entities", i]` for an entity the gateway fetched by key.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';

const collected = new WeakMap<object, unknown[]>();

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

export function useSubgraphWarnings(): GatewayPlugin {
  return {
    onSubgraphExecute({ executionRequest, subgraphName }) {
      const context: unknown = executionRequest.context;
      if (typeof context !== 'object' || context === null) return;
      return ({ result }) => {
        if (isAsyncIterable(result)) return;
        const warnings = result.extensions?.['warnings'];
        if (!Array.isArray(warnings) || warnings.length === 0) return;
        const list = collected.get(context) ?? [];
        for (const warning of warnings as unknown[])
          if (typeof warning === 'object' && warning !== null)
            list.push({ ...warning, subgraph: subgraphName });
        collected.set(context, list);
      };
    },
    onExecute({ args }) {
      const context: unknown = args.contextValue;
      return {
        onExecuteDone({ result, setResult }) {
          if (typeof context !== 'object' || context === null || isAsyncIterable(result)) return;
          const warnings = collected.get(context);
          if (warnings === undefined) return;
          setResult({ ...result, extensions: { ...result.extensions, warnings } });
        },
      };
    },
  };
}
