// The idempotency store: a keyed write runs once, whoever repeats it and however often, in memory
// and (with REDIS_URL, as CI sets it) across separately created stores sharing Redis, as two
// replicas would.
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ErrorCode, errorCodeOf, graphError, upstreamUnavailable } from './errors.js';
import { createIdempotencyStore, requestIdFor, stableJson, type IdempotencyStore } from './idempotency.js';
import { createLogger } from './logger.js';

const logger = createLogger('test', 'silent');
const redisUrl = process.env['REDIS_URL'];
const describeWithRedis = redisUrl ? describe : describe.skip;

const storeWith = (url: string | null, keyPrefix = `nhs-graph-test-${randomUUID()}:`) =>
  createIdempotencyStore(
    { redis: { url, keyPrefix }, idempotency: { ttlSeconds: 60, waitMs: 3000 } },
    logger,
  );

const claim = (key: string, input: unknown = { line: '1 High Street' }) => ({
  operation: 'updatePatientAddress',
  caller: 'subject-1',
  key,
  input,
});

/** A write that counts how often it ran and answers after `ms`. */
function countingWrite(ms = 0) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { version: calls };
    },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return errorCodeOf(error);
  }
}

function behavesIdempotently(name: string, makeStores: () => [IdempotencyStore, IdempotencyStore]) {
  describe(name, () => {
    let first: IdempotencyStore;
    let second: IdempotencyStore;
    beforeEach(() => {
      [first, second] = makeStores();
    });
    afterEach(async () => {
      await first.close();
      await second.close();
    });

    it('runs a repeated write once and gives the repeat the first result', async () => {
      const write = countingWrite();
      const key = randomUUID();
      const a = await first.once(claim(key), write.run);
      const b = await second.once(claim(key), write.run);
      expect(write.calls).toBe(1);
      expect(b).toEqual(a);
    });

    it('runs concurrent repeats once: the others wait for the first and share its result', async () => {
      const write = countingWrite(200);
      const key = randomUUID();
      const results = await Promise.all([
        first.once(claim(key), write.run),
        second.once(claim(key), write.run),
        first.once(claim(key), write.run),
      ]);
      expect(write.calls).toBe(1);
      expect(results).toEqual([{ version: 1 }, { version: 1 }, { version: 1 }]);
    });

    it('refuses the same key with different input, without writing', async () => {
      const write = countingWrite();
      const key = randomUUID();
      await first.once(claim(key), write.run);
      expect(await codeOf(second.once(claim(key, { line: '2 Low Road' }), write.run))).toBe(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
      );
      expect(write.calls).toBe(1);
    });

    it('keeps keys apart per caller and per operation', async () => {
      const write = countingWrite();
      const key = randomUUID();
      await first.once(claim(key), write.run);
      await second.once({ ...claim(key), caller: 'subject-2' }, write.run);
      await second.once({ ...claim(key), operation: 'bookAppointment' }, write.run);
      expect(write.calls).toBe(3);
    });

    it('replays a definite refusal instead of sending the write again', async () => {
      let calls = 0;
      const refuse = async () => {
        calls += 1;
        return Promise.reject(graphError(ErrorCode.CONFLICT, 'version moved on', { upstreamCode: 'X' }));
      };
      const key = randomUUID();
      expect(await codeOf(first.once(claim(key), refuse))).toBe(ErrorCode.CONFLICT);
      const repeat = second.once(claim(key), refuse);
      await expect(repeat).rejects.toThrow('version moved on');
      await repeat.catch((error: unknown) => {
        expect(error).toBeInstanceOf(GraphQLError);
        expect((error as GraphQLError).extensions).toEqual({ code: 'CONFLICT', upstreamCode: 'X' });
      });
      expect(calls).toBe(1);
    });

    it('releases the key after an ambiguous failure, so the repeat runs the write again', async () => {
      let calls = 0;
      const flaky = async () => {
        calls += 1;
        if (calls === 1) throw upstreamUnavailable('PDS');
        return Promise.resolve({ version: 2 });
      };
      const key = randomUUID();
      expect(await codeOf(first.once(claim(key), flaky))).toBe(ErrorCode.UPSTREAM_UNAVAILABLE);
      expect(await second.once(claim(key), flaky)).toEqual({ version: 2 });
      expect(await first.once(claim(key), flaky)).toEqual({ version: 2 });
      expect(calls).toBe(2);
    });

    it('refuses a malformed key before anything runs', async () => {
      const write = countingWrite();
      for (const key of ['short', 'has spaces in it, sixteen+', 'x'.repeat(129)])
        expect(await codeOf(first.once(claim(key), write.run))).toBe(ErrorCode.BAD_USER_INPUT);
      expect(write.calls).toBe(0);
    });
  });
}

behavesIdempotently('idempotency in memory (one process)', () => {
  const store = storeWith(null);
  return [store, store];
});

describeWithRedis('idempotency in Redis (REDIS_URL set)', () => {
  behavesIdempotently('two replicas sharing Redis', () => {
    const keyPrefix = `nhs-graph-test-${randomUUID()}:`;
    return [storeWith(redisUrl ?? null, keyPrefix), storeWith(redisUrl ?? null, keyPrefix)];
  });
});

describe('when the key store cannot be reached', () => {
  it('refuses the write without sending it', async () => {
    const store = storeWith('redis://127.0.0.1:1');
    const write = countingWrite();
    try {
      expect(await codeOf(store.once(claim(randomUUID()), write.run))).toBe(
        ErrorCode.IDEMPOTENCY_UNAVAILABLE,
      );
      expect(write.calls).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('requestIdFor', () => {
  it('gives a keyed write the same UUID every time, and another write another one', () => {
    const id = requestIdFor(claim('key-aaaaaaaaaaaaaaaa'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdFor(claim('key-aaaaaaaaaaaaaaaa'))).toBe(id);
    expect(requestIdFor(claim('key-bbbbbbbbbbbbbbbb'))).not.toBe(id);
    expect(requestIdFor({ ...claim('key-aaaaaaaaaaaaaaaa'), caller: 'subject-2' })).not.toBe(id);
  });
});

describe('stableJson', () => {
  it('fingerprints the same input the same whatever its key order', () => {
    expect(stableJson({ b: 1, a: [{ d: 2, c: null }] })).toBe(stableJson({ a: [{ c: null, d: 2 }], b: 1 }));
    expect(stableJson({ a: 1 })).not.toBe(stableJson({ a: 2 }));
  });
});
