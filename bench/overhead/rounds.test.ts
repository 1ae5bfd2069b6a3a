import type { LoadResult } from '../load.js';
import { bestRoundOfEach, roundOrders, type GatewayRun } from './scenario.js';

const run = (name: GatewayRun['name'], round: number, requestsPerSecond: number) =>
  ({ name, round, load: { requestsPerSecond } as LoadResult }) as GatewayRun;

describe('overhead rounds', () => {
  it('alternates the order so each gateway is measured both before and after the others', () => {
    expect(roundOrders(['a', 'b', 'c'], 3)).toEqual([
      ['a', 'b', 'c'],
      ['c', 'b', 'a'],
      ['a', 'b', 'c'],
    ]);
    expect(roundOrders(['a', 'b'], 1)).toEqual([['a', 'b']]);
  });

  it("reports each gateway's highest-throughput round, in the gateways' order", () => {
    const rounds = [
      run('nhs-graph', 1, 100),
      run('hive-gateway', 1, 120),
      run('hive-gateway', 2, 110),
      run('nhs-graph', 2, 118),
    ];
    const best = bestRoundOfEach(['nhs-graph', 'hive-gateway', 'apollo-gateway'], rounds);
    expect(best.map(({ name, round }) => [name, round])).toEqual([
      ['nhs-graph', 2],
      ['hive-gateway', 1],
    ]);
  });
});
