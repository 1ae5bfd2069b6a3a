// The stack's processes against failures, over real HTTP with a redis-server of this file's own
// (issue 22 items 2 and 4, issue 15 item 11): Redis killed under the gateway and subgraphs (reads
// keep answering, keyed writes IDEMPOTENCY_UNAVAILABLE, all works again once it returns); a
// subgraph killed (the supervisor brings it back); SIGTERM with Redis unreachable (the subgraph
// exits); and a deliberate stop (nothing restarted). Recovery time is printed, not asserted.
import { randomUUID } from 'node:crypto';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from './redis-server.js';
import { useTestStack } from './stack.js';

const describeWithRedisServer = hasRedisServer ? describe : describe.skip;

describeWithRedisServer('processes, shared stores and failures', () => {
  let redis: PrivateRedis;
  const env: NodeJS.ProcessEnv = {};
  // Declared before useTestStack, so it runs first and the stack starts with this Redis.
  beforeAll(async () => {
    redis = await startPrivateRedis();
    env['REDIS_URL'] = redis.url;
  });
  afterAll(() => redis.kill());
  const stack = useTestStack(env, { resetBeforeEach: false });

  const asClerk = () => stack.bearer('clerk');
  const MEDICINE = `{ medicine(code: "323509004") { code name } }`;
  const readMedicine = async () => postGraphQL(stack.gatewayUrl, MEDICINE, undefined, await asClerk());
  const READ = `query Version($n: NhsNumber!) { patient(nhsNumber: $n) { version } }`;
  const UPDATE = `mutation UpdateAddress($input: UpdatePatientAddressInput!) {
    updatePatientAddress(input: $input) { version }
  }`;
  const writeAddress = async () => {
    const headers = await asClerk();
    const read = await postGraphQL<{ patient: { version: string } }>(
      stack.gatewayUrl,
      READ,
      { n: '9000000009' },
      headers,
    );
    const input = {
      nhsNumber: '9000000009',
      version: read.body.data?.patient.version,
      lines: ['1 Trevelyan Square', 'Leeds'],
      postcode: 'LS1 6AE',
      idempotencyKey: randomUUID(),
    };
    return postGraphQL(stack.gatewayUrl, UPDATE, { input }, headers);
  };
  const until = async (condition: () => Promise<boolean>): Promise<void> => {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  const running = (pid: number | undefined): boolean => {
    try {
      return pid !== undefined && process.kill(pid, 0);
    } catch {
      return false;
    }
  };

  it('keeps answering reads while Redis is away, refuses keyed writes, and recovers', async () => {
    expect((await readMedicine()).body.errors).toBeUndefined();
    expect(errorCodes(await writeAddress())).toEqual([]);

    await redis.kill();
    for (let round = 0; round < 3; round += 1) {
      const read = await readMedicine();
      expect(read.body.errors).toBeUndefined();
      expect(read.body.data).toEqual({ medicine: { code: '323509004', name: 'Amoxicillin 250mg capsules' } });
      expect(errorCodes(await writeAddress())).toEqual(['IDEMPOTENCY_UNAVAILABLE']);
    }

    const restarted = Date.now();
    await redis.start();
    await until(async () => errorCodes(await writeAddress()).length === 0);
    process.stdout.write(
      `redis outage e2e: keyed writes accepted ${Date.now() - restarted} ms after restart\n`,
    );
    expect((await readMedicine()).body.errors).toBeUndefined();
  }, 120_000);

  it('restarts a subgraph that was killed, and it answers again', async () => {
    const killed = stack.pids()['medicines'];
    expect(running(killed)).toBe(true);
    process.kill(killed as number, 'SIGKILL');
    await until(async () => {
      const pid = stack.pids()['medicines'];
      return pid !== killed && running(pid) && (await readMedicine()).body.errors === undefined;
    });
    expect((await readMedicine()).body.data).toEqual({
      medicine: { code: '323509004', name: 'Amoxicillin 250mg capsules' },
    });
  }, 120_000);

  it('a subgraph exits on SIGTERM while Redis is unreachable', async () => {
    expect((await readMedicine()).body.errors).toBeUndefined();
    await redis.kill();
    const pid = stack.pids()['medicines'];
    process.kill(pid as number, 'SIGTERM');
    await until(async () => Promise.resolve(!running(pid)));
    expect(running(pid)).toBe(false);
  }, 120_000);

  it('restarts nothing after a deliberate stop', async () => {
    await until(async () => Promise.resolve(running(stack.pids()['medicines'])));
    const pids = stack.pids();
    await stack.stop();
    expect(stack.pids()).toEqual(pids);
    expect(Object.values(pids).filter(running)).toEqual([]);
  }, 120_000);
});
