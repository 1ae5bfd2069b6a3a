// Runs one subgraph as its own process: `tsx subgraphs/main.ts demographics`.
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { runUntilSignal } from '../platform/process.js';
import { subgraphRegistry } from './registry.js';

const name = process.argv[2];
const entry = subgraphRegistry.find((candidate) => candidate.name === name);
if (!entry) {
  console.error(`Unknown subgraph "${name ?? ''}". Known: ${subgraphRegistry.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const config = loadConfig();
const logger = createLogger(`subgraph-${entry.name}`, config.logLevel);
const running = await entry.start(logger);
// Handlers first: a SIGTERM sent as soon as "ready" is read must find them in place.
runUntilSignal(() => running.close(), logger);
logger.info({ url: running.url }, 'subgraph ready');
