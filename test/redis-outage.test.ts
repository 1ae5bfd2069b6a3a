// A Redis outage degrades instead of stopping anything (issue 22, items 2 and 3), against a
// private redis-server this file kills and restarts: cache reads are misses, APQ lookups "not
// registered", keyed writes IDEMPOTENCY_UNAVAILABLE — each answering, none queued until Redis
// returns — and everything works again once it is back. Lines about the outage carry no
// request's correlation id. Recovery time is printed, not asserted (speed is for benchmarks).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createCache, type Cache } from '../platform/cache.js';
import { loadConfig } from '../platform/config.js';
import { ErrorCode, errorCodeOf } from '../platform/errors.js';
import { createIdempotencyStore, type IdempotencyStore } from '../platform/idempotency.js';
import { closeRedisConnection, createKeyvStore, createRedisConnection } from '../platform/keyv-store.js';
import { createLogger, logContext } from '../platform/logger.js';
import { persistedQueryStore, type PersistedQueryStore } from '../gateway/persisted-documents.js';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from './redis-server.js';

const describeWithRedisServer = hasRedisServer ? describe : describe.skip;

/** Every line logged, parsed. */
const lines: Array<Record<string, unknown>> = [];
const logger = createLogger(
  'test',
  'info',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);

const waitFor = async (condition: () => Promise<boolean> | boolean): Promise<void> => {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
};

const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => 'no error',
    (error: unknown) => errorCodeOf(error),
  );

const claim = () => ({
  operation: 'test',
  caller: 'caller-1',
  key: randomUUID(),
  input: { n: 1 },
});

describeWithRedisServer('a Redis outage, with a redis-server of its own', () => {
  let redis: PrivateRedis;
  let cache: Cache;
  let idempotency: IdempotencyStore;
  let apq: PersistedQueryStore;
  let closeApq: () => Promise<void>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const config = loadConfig({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'outage-test:' });
    // Stores are made at start-up, outside any request, as the processes make them.
    cache = createCache(config, logger);
    idempotency = createIdempotencyStore(config, logger);
    const connection = createRedisConnection(redis.url, logger);
    apq = persistedQueryStore(
      createKeyvStore<string>({ redis: connection, namespace: 'outage-test:apq' }),
      60,
    );
    closeApq = () => closeRedisConnection(connection);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([cache.close(), idempotency.close(), closeApq()]);
    await redis.kill();
  });

  it('answers every read and refuses keyed writes while Redis is away, then recovers', async () => {
    // Used first inside a request, as a subgraph does: the connection must not keep its context.
    await logContext.run({ correlationId: 'request-before-the-outage' }, async () => {
      // Each connection is opened in the background: retried until it is up.
      await waitFor(async () => {
        await cache.tier('daily').set('org', { id: 'A' });
        return (await cache.tier('daily').get('org')) !== undefined;
      });
      await waitFor(async () => {
        await apq.set('hash', '{ me { kind } }').catch(() => undefined);
        return (await apq.get('hash')) !== undefined;
      });
      await waitFor(
        async () =>
          (await codeOf(idempotency.once(claim(), () => Promise.resolve('written')))) === 'no error',
      );
    });

    const linesBefore = lines.length;
    await redis.kill();
    await waitFor(() => lines.slice(linesBefore).some((line) => /redis/i.test(String(line['msg']))));

    // Several rounds, so a command queued behind the dead connection would show as a hang.
    for (let round = 0; round < 3; round += 1) {
      await expect(cache.tier('daily').get('org')).resolves.toBeUndefined();
      await expect(cache.tier('daily').set('org', { id: 'B' })).resolves.toEqual(expect.any(String));
      await expect(apq.get('hash')).resolves.toBeUndefined();
      let wrote = false;
      const refused = idempotency.once(claim(), async () => {
        wrote = true;
        return Promise.resolve('written');
      });
      await expect(codeOf(refused)).resolves.toBe(ErrorCode.IDEMPOTENCY_UNAVAILABLE);
      expect(wrote).toBe(false);
    }

    // Nothing logged about the outage (outside any request here) belongs to the request that
    // first used the connections.
    const outageLines = lines.slice(linesBefore).filter((line) => /redis|cache/i.test(String(line['msg'])));
    expect(outageLines.length).toBeGreaterThan(0);
    expect(outageLines.filter((line) => line['correlationId'] !== undefined)).toEqual([]);

    const restarted = Date.now();
    await redis.start();
    await waitFor(async () => {
      const code = await codeOf(idempotency.once(claim(), async () => Promise.resolve('written')));
      return code === 'no error';
    });
    // Each store has its own connection, reconnecting on its own back-off: wait for each.
    await waitFor(async () => {
      await cache.tier('daily').set('org', { id: 'C' });
      return (await cache.tier('daily').get('org')) !== undefined;
    });
    await waitFor(async () => {
      await apq.set('hash', '{ me { kind } }');
      return (await apq.get('hash')) !== undefined;
    });
    const recoveredMs = Date.now() - restarted;
    await expect(cache.tier('daily').get('org')).resolves.toMatchObject({ value: { id: 'C' } });
    await expect(apq.get('hash')).resolves.toBe('{ me { kind } }');
    process.stdout.write(
      `redis outage: stores answered again ${recoveredMs} ms after redis-server restarted\n`,
    );
  }, 60_000);
});
