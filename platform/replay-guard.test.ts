// Single use of internal tokens: in one process's memory (bounded, never forgetting an unexpired
// id early), across replicas through Redis when REDIS_URL is set (as CI sets it), and with Redis
// unreachable, where reads go on and this process still refuses what it has seen.
import { randomUUID } from 'node:crypto';
import { createLogger } from './logger.js';
import { createRedisConnection, type RedisConnection } from './keyv-store.js';
import { createMemoryReplayGuard, createRedisReplayGuard } from './replay-guard.js';

const logger = createLogger('test', 'silent');
const redisUrl = process.env['REDIS_URL'];
const describeWithRedis = redisUrl ? describe : describe.skip;
const inAMinute = () => Date.now() + 60_000;

describe('memory replay guard', () => {
  it('accepts a token id once and refuses it again until it expires', async () => {
    let now = 1_000;
    const guard = createMemoryReplayGuard(10, () => now);
    expect(await guard.use('a', 2_000)).toBe('accepted');
    expect(await guard.use('a', 2_000)).toBe('replayed');
    expect(await guard.use('b', 2_000)).toBe('accepted');
    now = 2_001; // expired: the token itself is refused by its signature check from now on
    expect(await guard.use('a', 3_000)).toBe('accepted');
  });

  it('refuses new ids rather than forget unexpired ones when full, and frees expired ones', async () => {
    let now = 0;
    const guard = createMemoryReplayGuard(2, () => now);
    expect(await guard.use('a', 100)).toBe('accepted');
    expect(await guard.use('b', 200)).toBe('accepted');
    expect(await guard.use('c', 300)).toBe('overloaded');
    expect(await guard.use('a', 100)).toBe('replayed');
    now = 150;
    expect(await guard.use('c', 300)).toBe('accepted');
    expect(await guard.use('b', 200)).toBe('replayed');
  });
});

describe('redis replay guard', () => {
  const connections: RedisConnection[] = [];
  afterEach(() => {
    for (const connection of connections.splice(0)) connection.destroy();
  });
  const connect = (url: string) => {
    const connection = createRedisConnection(url, logger);
    connections.push(connection);
    return connection;
  };

  it('keeps answering when Redis is unreachable, refusing replays this process has seen', async () => {
    // Nothing listens on port 1: the connection never becomes ready; the guard must not wait for it.
    const guard = createRedisReplayGuard({ redis: connect('redis://127.0.0.1:1'), prefix: 'x:', logger });
    const id = randomUUID();
    expect(await guard.use(id, inAMinute())).toBe('accepted');
    expect(await guard.use(id, inAMinute())).toBe('replayed');
  });

  describeWithRedis('with REDIS_URL', () => {
    it('refuses on one replica a token already used on another', async () => {
      const prefix = `nhs-graph-test-${randomUUID()}:jti:`;
      const replicas = [connect(redisUrl as string), connect(redisUrl as string)];
      await Promise.all(replicas.map((connection) => connection.ping())); // connected
      const [a, b] = replicas.map((redis) =>
        createRedisReplayGuard({ redis, prefix, logger, timeoutMs: 5_000 }),
      );
      const id = randomUUID();
      expect(await a?.use(id, inAMinute())).toBe('accepted');
      expect(await b?.use(id, inAMinute())).toBe('replayed');
      expect(await b?.use(randomUUID(), inAMinute())).toBe('accepted');
    });
  });
});
