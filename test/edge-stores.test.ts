// The edge's shared state against real Redis when REDIS_URL is set (CI sets it), else in memory:
// keys written once under their namespace, registrations that expire, and counters that count.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../platform/config.js';
import { BoundedMap, createKeyvStore, createRedisConnection } from '../platform/keyv-store.js';
import { createLogger } from '../platform/logger.js';
import { redisCounter } from '../gateway/rate-limits.js';

const { redis: redisConfig } = loadConfig();
const prefix = `nhs-graph-test-${randomUUID()}:`;
const redis =
  redisConfig.url === null ? null : createRedisConnection(redisConfig.url, createLogger('test', 'silent'));

afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(keys);
  await redis.close();
});

describe('createKeyvStore', () => {
  it('stores under `<namespace>:<key>`, once, and expires entries', async () => {
    const store = createKeyvStore<string>({ redis, namespace: `${prefix}apq` });
    await store.set('abc', '{ me { kind } }', 200);
    expect(await store.get('abc')).toBe('{ me { kind } }');
    if (redis) expect(await redis.keys(`${prefix}*`)).toEqual([`${prefix}apq:abc`]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.get('abc')).toBeUndefined();
  });

  it('keeps separate namespaces apart', async () => {
    const one = createKeyvStore<string>({ redis, namespace: `${prefix}one` });
    const two = createKeyvStore<string>({ redis, namespace: `${prefix}two` });
    await one.set('k', '1');
    expect(await two.get('k')).toBeUndefined();
  });
});

it('BoundedMap forgets its oldest entry when full', () => {
  const map = new BoundedMap<string, number>(2);
  map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
  // Updating `a` does not make it newer: insertion order decides.
  expect([...map.entries()]).toEqual([
    ['b', 2],
    ['c', 4],
  ]);
});

(redis ? describe : describe.skip)('redisCounter (REDIS_URL)', () => {
  it('counts atomically within a window shared by every replica', async () => {
    const replicaA = redisCounter(redis as NonNullable<typeof redis>, `${prefix}rate:`);
    const replicaB = redisCounter(redis as NonNullable<typeof redis>, `${prefix}rate:`);
    const hits = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? replicaA : replicaB).hit('client', 5_000)),
    );
    expect(hits.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(Math.max(...hits.map((hit) => hit.resetInMs))).toBeLessThanOrEqual(5_000);
  });

  it('starts a new window when the old one expires', async () => {
    const counter = redisCounter(redis as NonNullable<typeof redis>, `${prefix}rate:`);
    await counter.hit('short', 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await counter.hit('short', 100)).count).toBe(1);
  });
});
