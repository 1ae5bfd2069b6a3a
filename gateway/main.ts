import { loadGatewayConfig } from './config.js';
import { createLogger } from '../platform/logger.js';
import { runUntilSignal } from '../platform/process.js';
import { listenGateway } from './server.js';

const config = loadGatewayConfig();
// Hive Gateway's logger also reads LOG_LEVEL from the environment and throws on levels it does
// not know (e.g. `silent`); configuration has been read, so it gets its level from us alone.
delete process.env['LOG_LEVEL'];
const logger = createLogger('gateway', config.logLevel);
const gateway = await listenGateway(config, logger);
// Handlers first: a SIGTERM sent as soon as "ready" is read must find them in place.
runUntilSignal(() => gateway.close(), logger);
logger.info({ url: gateway.url }, 'gateway ready');
