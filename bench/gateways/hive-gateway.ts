// Plain Hive Gateway runtime with its default settings, on the benchmark supergraph.
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { benchEnv, serveUntilSignal } from './serve.js';

const gateway = createGatewayRuntime({ supergraph: benchEnv('BENCH_SUPERGRAPH') });
await serveUntilSignal(gateway.requestListener, () => gateway.dispose());
