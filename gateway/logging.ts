// Hive Gateway logs through our pino logger, so every process writes the same JSON lines.
import { Logger as HiveLogger, type LogWriter } from '@graphql-hive/logger';
import type { GatewayConfig } from './config.js';
import type { Logger } from '../platform/logger.js';

export function hiveLogger(config: GatewayConfig, logger: Logger): HiveLogger | false {
  if (config.logLevel === 'silent') return false;
  const writer: LogWriter = {
    write(level, attrs, msg) {
      // Hive's request-scoped lines carry the request id, which is our correlation id
      // (createGateway's requestId option): log it under the name every other line uses.
      const { requestId, ...rest } = (attrs ?? {}) as Record<string, unknown>;
      logger[level](requestId === undefined ? rest : { correlationId: requestId, ...rest }, msg ?? '');
    },
  };
  return new HiveLogger({ level: config.logLevel, writers: [writer] });
}
