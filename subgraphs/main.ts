// Runs one subgraph as its own process: `tsx subgraphs/main.ts demographics`.
import { partnerOperationNames } from '../gateway/partners.js';
import { createLogger } from '../platform/logger.js';
import { registerOperationNames } from '../platform/metrics.js';
import { loadSubgraphConfig } from '../platform/manifest.js';
import { runUntilSignal } from '../platform/process.js';
import { startSubgraphProcess } from '../platform/subgraph-factory.js';
import { subgraphRegistry } from './registry.js';

const name = process.argv[2];
const manifest = subgraphRegistry.find((candidate) => candidate.name === name);
if (!manifest) {
  console.error(`Unknown subgraph "${name ?? ''}". Known: ${subgraphRegistry.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
// Every variable it reads is checked here, with one error naming every bad one.
const config = loadSubgraphConfig(manifest);
const logger = createLogger(`subgraph-${manifest.name}`, config.logLevel);
// The same operation labels as the gateway's: partners' persisted operations, every other name `other`.
registerOperationNames(partnerOperationNames());
const running = await startSubgraphProcess(manifest, logger);
// Handlers first: a SIGTERM sent as soon as "ready" is read must find them in place.
runUntilSignal(() => running.close(), logger);
logger.info({ url: running.url }, 'subgraph ready');
