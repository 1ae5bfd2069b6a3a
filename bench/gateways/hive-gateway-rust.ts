// Plain Hive Gateway runtime with its default settings, planning and executing with Hive Router's
// Rust query planner (@graphql-hive/router-runtime), on the benchmark supergraph.
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { benchEnv, serveUntilSignal } from './serve.js';

const gateway = createGatewayRuntime({ supergraph: benchEnv('BENCH_SUPERGRAPH'), unifiedGraphHandler });
await serveUntilSignal(gateway.requestListener, () => gateway.dispose());
