// What a subgraph declares about itself, once, in subgraphs/<name>/manifest.ts: its name, port,
// upstreams (each with its variables, defaults and access mode), cache tiers, own settings,
// codegen mappers and how to build its definition. The registry, codegen, the environment schema,
// the stack launcher and the configuration reference are all derived from these declarations.
import { z } from 'zod';
import type { CacheTier, CacheTierName } from './cache.js';
import {
  count,
  localUrl,
  millis,
  optionalUrl,
  port,
  readEnvironment,
  sharedConfig,
  trimSlash,
  type Config,
  type SharedVariables,
  type UpstreamConfig,
  type VariableShape,
} from './config.js';
import type { UpstreamClient } from './http.js';
import type { IdempotencyStore } from './idempotency.js';
import type { Logger } from './logger.js';
import type { SubgraphDefinition } from './subgraph.js';

/** How nhs-graph is authorised to call an upstream (used by the real-environments work). */
export type AccessMode =
  'application-restricted' | 'user-restricted' | 'open' | 'spine-secure-proxy' | 'client-credentials';

export interface UpstreamDeclaration {
  /** Name used in errors, logs and provenance, e.g. `PDS`. */
  label: string;
  /** Prefix of its variables: `PDS` -> PDS_BASE_URL, PDS_TIMEOUT_MS, PDS_MAX_CONCURRENCY. */
  variablePrefix: string;
  /** What the base URL is, with a real example (the configuration reference shows it). */
  baseUrlDescription: string;
  /** Where the sandbox serves its stand-in, below the sandbox's URL: the base URL's default. */
  sandboxPath: string;
  /** Default of <PREFIX>_TIMEOUT_MS. */
  timeoutMs: number;
  /** Default of <PREFIX>_MAX_CONCURRENCY; without it there is no such variable (platform/http.ts's default). */
  maxConcurrency?: number;
  /** Why this concurrency, shown in the configuration reference. */
  maxConcurrencyDescription?: string;
  /** Whether idempotent reads are retried with the shared policy (UPSTREAM_RETRY_*). */
  retries: boolean;
  access: AccessMode;
}

/** A subgraph's own settings: its variables and the typed settings read from them. */
export interface SettingsDeclaration<Shape extends VariableShape, Settings> {
  variables: Shape;
  read(values: z.infer<z.ZodObject<Shape>>): Settings;
}

/** What a subgraph process is given to build its definition (platform/subgraph-factory.ts). */
export interface SubgraphResources<U extends string, Settings> {
  config: SubgraphConfig<U, Settings>;
  logger: Logger;
  /** A client for each declared upstream, built from its configuration. */
  upstreams: Record<U, UpstreamClient>;
  /** A cache tier the manifest declares (`cacheTiers`); asking for another is a bug and throws. */
  cacheTier: (name: CacheTierName) => CacheTier;
  /** The store keyed writes go through, when the manifest declares `keyedWrites`. */
  idempotency: IdempotencyStore | null;
}

export interface BuiltSubgraph {
  definition: SubgraphDefinition<unknown, unknown>;
  /** Closes what `build` opened itself (beyond the resources it was given). */
  close?(): Promise<void>;
}

export interface SubgraphManifest<
  U extends string = string,
  Shape extends VariableShape = VariableShape,
  Settings = unknown,
> {
  /** The one spelling of the subgraph's name: its folder, its service name in the supergraph. */
  name: string;
  /** Default of <PREFIX>_PORT, where PREFIX is the name in capitals (careRecord -> CARE_RECORD). */
  port: number;
  /** One line on what it serves, for the configuration reference. */
  description: string;
  schemaFile: URL;
  upstreams: Record<U, UpstreamDeclaration>;
  /** Cache tiers its sources use; none: no cache is built. */
  cacheTiers: readonly CacheTierName[];
  /** Whether it has writes keyed by idempotencyKey (an idempotency store is built). */
  keyedWrites: boolean;
  settings?: SettingsDeclaration<Shape, Settings>;
  /** graphql-codegen: GraphQL type -> `file#Type` of its model, and its context type (relative to __generated__/). */
  codegen: { mappers: Record<string, string>; contextType: string };
  /** Builds its definition (sources, loaders) from its configuration and resources. */
  build(resources: SubgraphResources<U, Settings>): Promise<BuiltSubgraph>;
}

/** Declares a subgraph; the identity function that gives the manifest its types. */
export function defineSubgraph<
  const U extends string,
  const Shape extends VariableShape,
  Settings = undefined,
>(manifest: SubgraphManifest<U, Shape, Settings>): SubgraphManifest<U, Shape, Settings> {
  return manifest;
}

/** A subgraph manifest of any upstreams and settings, as the registry lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySubgraphManifest = SubgraphManifest<string, VariableShape, any>;

/** careRecord -> CARE_RECORD: the prefix of the subgraph's own variables. */
export const variablePrefix = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

export const portVariable = (manifest: Pick<AnySubgraphManifest, 'name'>) =>
  `${variablePrefix(manifest.name)}_PORT`;
export const urlVariable = (manifest: Pick<AnySubgraphManifest, 'name'>) =>
  `${variablePrefix(manifest.name)}_URL`;

/** The variables that say where a subgraph listens and where the gateway reaches it. */
export function addressVariables(manifest: AnySubgraphManifest): VariableShape {
  return {
    [portVariable(manifest)]: port(manifest.port).describe(`Port the ${manifest.name} subgraph listens on.`),
    [urlVariable(manifest)]: optionalUrl().describe(
      `Where the gateway reaches the ${manifest.name} subgraph; default: this machine at ${portVariable(manifest)}.`,
    ),
  };
}

/** The variables of one upstream, named after its prefix. */
export function upstreamVariables(upstream: UpstreamDeclaration): VariableShape {
  const p = upstream.variablePrefix;
  return {
    [`${p}_BASE_URL`]: optionalUrl().describe(`${upstream.baseUrlDescription}; default: the sandbox.`),
    [`${p}_TIMEOUT_MS`]: millis(upstream.timeoutMs).describe(`Time one call to ${upstream.label} may take.`),
    ...(upstream.maxConcurrency === undefined
      ? {}
      : {
          [`${p}_MAX_CONCURRENCY`]: count(upstream.maxConcurrency).describe(
            upstream.maxConcurrencyDescription ??
              `Calls in flight at once to ${upstream.label}, per process.`,
          ),
        }),
  };
}

/** Every variable a subgraph declares: its address, its upstreams' and its own settings. */
export function subgraphVariables(manifest: AnySubgraphManifest): VariableShape {
  return {
    ...addressVariables(manifest),
    ...Object.assign({}, ...Object.values<UpstreamDeclaration>(manifest.upstreams).map(upstreamVariables)),
    ...manifest.settings?.variables,
  } as VariableShape;
}

/** A subgraph process's configuration: the shared one, its port, its upstreams and its own settings. */
export interface SubgraphConfig<U extends string = string, Settings = unknown> extends Config {
  port: number;
  upstreams: Record<U, UpstreamConfig>;
  settings: Settings;
}

/** Validates the shared and the subgraph's variables (one error naming every bad one) and reads them. */
export function loadSubgraphConfig<U extends string, Shape extends VariableShape, Settings>(
  manifest: SubgraphManifest<U, Shape, Settings>,
  env: NodeJS.ProcessEnv = process.env,
): SubgraphConfig<U, Settings> {
  const values: SharedVariables & Record<string, unknown> = readEnvironment(subgraphVariables(manifest), env);
  const shared = sharedConfig(values);
  const upstreams = Object.fromEntries(
    Object.entries<UpstreamDeclaration>(manifest.upstreams).map(([key, upstream]) => [
      key,
      upstreamConfig(upstream, values, shared),
    ]),
  ) as Record<U, UpstreamConfig>;
  return {
    ...shared,
    port: values[portVariable(manifest)] as number,
    upstreams,
    settings: manifest.settings
      ? manifest.settings.read(values as unknown as z.infer<z.ZodObject<Shape>>)
      : (undefined as Settings),
  };
}

function upstreamConfig(
  upstream: UpstreamDeclaration,
  values: Record<string, unknown>,
  shared: Config,
): UpstreamConfig {
  const p = upstream.variablePrefix;
  const configured = values[`${p}_BASE_URL`] as string | undefined;
  const maxConcurrent = values[`${p}_MAX_CONCURRENCY`] as number | undefined;
  return {
    name: upstream.label,
    baseUrl: trimSlash(configured ?? `${shared.sandbox.url}${upstream.sandboxPath}`),
    timeoutMs: values[`${p}_TIMEOUT_MS`] as number,
    ...(maxConcurrent === undefined ? {} : { maxConcurrent }),
    ...(upstream.retries ? { retry: shared.upstreamRetry } : {}),
  };
}

/** Where the gateway reaches a subgraph, from already-validated variables. */
export function subgraphAddress(
  manifest: AnySubgraphManifest,
  values: Record<string, unknown>,
): { port: number; url: string } {
  const listensOn = values[portVariable(manifest)] as number;
  const configured = values[urlVariable(manifest)] as string | undefined;
  return { port: listensOn, url: configured ?? `${localUrl(listensOn)}/graphql` };
}
