// The one way a subgraph runs as its own process: its configuration from its manifest, the shared
// stores it declares (cache tiers, idempotency), a client per upstream, the audit store, the
// replay guard and the listener, all closed with it (or when it fails to start).
import { createAuditStore } from './audit/index.js';
import { createCache, type CacheTierName } from './cache.js';
import type { Config, UpstreamConfig, VariableShape } from './config.js';
import { createUpstreamClient, type UpstreamClient } from './http.js';
import { createIdempotencyStore } from './idempotency.js';
import { createRedisConnection } from './keyv-store.js';
import type { Logger } from './logger.js';
import { loadSubgraphConfig, type SubgraphManifest } from './manifest.js';
import { createMemoryReplayGuard, createRedisReplayGuard } from './replay-guard.js';
import { listenSubgraph, type RunningSubgraph } from './subgraph-listener.js';
import type { SubgraphDefinition } from './subgraph.js';

/** Starts the subgraph a manifest declares, configured from `env`. */
export async function startSubgraphProcess<U extends string, Shape extends VariableShape, Settings>(
  manifest: SubgraphManifest<U, Shape, Settings>,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningSubgraph> {
  const config = loadSubgraphConfig(manifest, env);
  const cache = manifest.cacheTiers.length > 0 ? createCache(config, logger) : null;
  const idempotency = manifest.keyedWrites ? createIdempotencyStore(config, logger) : null;
  const closeStores = () => Promise.all([cache?.close(), idempotency?.close()]).then(() => undefined);
  try {
    const upstreams = Object.fromEntries(
      Object.entries<UpstreamConfig>(config.upstreams).map(([key, upstream]) => [
        key,
        createUpstreamClient(upstream, logger),
      ]),
    ) as Record<U, UpstreamClient>;
    const cacheTier = (name: CacheTierName) => {
      if (!cache || !manifest.cacheTiers.includes(name)) {
        throw new Error(`The ${manifest.name} manifest declares no "${name}" cache tier`);
      }
      return cache.tier(name);
    };
    const built = await manifest.build({ config, logger, upstreams, cacheTier, idempotency });
    const closeBuilt = () => built.close?.() ?? Promise.resolve();
    try {
      const running = await startSubgraph(built.definition, config, logger, config.port);
      return {
        ...running,
        close: () => running.close().finally(() => Promise.all([closeBuilt(), closeStores()])),
      };
    } catch (error) {
      await closeBuilt();
      throw error;
    }
  } catch (error) {
    await closeStores();
    throw error;
  }
}

/** Runs a subgraph definition on `port`, with its secret, audit store and replay guard from configuration. */
export async function startSubgraph<L, S>(
  definition: SubgraphDefinition<L, S>,
  config: Config,
  logger: Logger,
  port: number,
): Promise<RunningSubgraph> {
  const auditStore = await createAuditStore(config, definition.name);
  // Replicas of a subgraph share one seen-set of internal tokens when Redis is configured.
  const redis = config.redis.url ? createRedisConnection(config.redis.url, logger) : null;
  const replayGuard = redis
    ? createRedisReplayGuard({ redis, prefix: `${config.redis.keyPrefix}jti:${definition.name}:`, logger })
    : createMemoryReplayGuard();
  const closeStores = async () => {
    // destroy, not close: close waits for a reconnect that may never come when Redis is down.
    redis?.destroy();
    await Promise.all([auditStore.close(), replayGuard.close()]);
  };
  try {
    const running = await listenSubgraph(definition, {
      port,
      host: config.host,
      logger,
      internalTokenSecret: config.internalTokenSecret,
      auditStore,
      replayGuard,
    });
    return { ...running, close: () => running.close().finally(closeStores) };
  } catch (error) {
    await closeStores();
    throw error;
  }
}
