// The four benchmark subgraphs in one process, one port each:
// BENCH_SUBGRAPH_PORTS='{"accounts":4201,...}' (0 or absent: any free port), BENCH_SUBGRAPH_MEMO.
import { BENCH_SUBGRAPHS, type BenchSubgraphName } from './schemas.js';
import { startBenchSubgraphs } from './server.js';

const ports = JSON.parse(process.env['BENCH_SUBGRAPH_PORTS'] ?? '{}') as Partial<
  Record<BenchSubgraphName, number>
>;
const memo = process.env['BENCH_SUBGRAPH_MEMO'] !== '0';
const running = await startBenchSubgraphs(BENCH_SUBGRAPHS, ports, { memo });
console.log(JSON.stringify({ ready: running.urls }));

const stop = () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
