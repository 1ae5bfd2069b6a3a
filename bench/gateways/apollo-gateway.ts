// Plain @apollo/gateway on @apollo/server (supergraphSdl), as the public benchmark runs it
// (one process here, like the others). Benchmark-only: @apollo/gateway is Elastic-2.0 and is
// never used by the product.
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { benchEnv, exitOnSignal } from './serve.js';

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(benchEnv('BENCH_SUPERGRAPH'), 'utf8') });
const server = new ApolloServer({ gateway });
await startStandaloneServer(server, {
  listen: { port: Number(benchEnv('BENCH_GATEWAY_PORT')), host: '127.0.0.1' },
});
exitOnSignal(() => server.stop());
