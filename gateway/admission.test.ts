// Admission control over real HTTP: a bounded number of requests run at once, a bounded number
// wait (first come, first served), the rest are refused with 503 OVERLOADED; health never waits,
// and a request whose client left while waiting never runs.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withAdmission } from './admission.js';

let server: Server;
let base: string;
const started: string[] = [];
const held: ServerResponse[] = [];

beforeEach(async () => {
  started.length = 0;
  held.length = 0;
  server = createServer(
    withAdmission({ maxConcurrent: 2, maxQueued: 1 }, (req, res) => {
      started.push(req.url ?? '');
      if (req.url?.startsWith('/health')) return void res.end('ok');
      held.push(res); // answered when the test releases it
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};
const release = () => held.shift()?.end('done');

describe('withAdmission', () => {
  it('runs two at once, queues one, refuses the next with 503 OVERLOADED and Retry-After', async () => {
    const first = fetch(`${base}/graphql?n=1`);
    const second = fetch(`${base}/graphql?n=2`);
    await until(() => started.length === 2);
    const third = fetch(`${base}/graphql?n=3`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual(['/graphql?n=1', '/graphql?n=2']);

    const refused = await fetch(`${base}/graphql?n=4`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      errors: [
        {
          message: 'nhs-graph is busy just now; try again shortly.',
          extensions: { code: 'OVERLOADED', retryAfter: 1 },
        },
      ],
    });

    // Health is answered while the gateway is full.
    expect((await fetch(`${base}/health`)).status).toBe(200);

    release();
    await until(() => started.includes('/graphql?n=3'));
    release();
    release();
    const answers = await Promise.all([first, second, third]);
    expect(await Promise.all(answers.map((answer) => answer.text()))).toEqual(['done', 'done', 'done']);
    expect(started.filter((url) => url.startsWith('/graphql'))).toEqual([
      '/graphql?n=1',
      '/graphql?n=2',
      '/graphql?n=3',
    ]);
  });

  it('never runs a request whose client left while it waited', async () => {
    const first = fetch(`${base}/graphql?n=1`);
    const second = fetch(`${base}/graphql?n=2`);
    await until(() => started.length === 2);
    const leaving = new AbortController();
    const gone = fetch(`${base}/graphql?n=gone`, { signal: leaving.signal }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.abort();
    expect(await gone).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));

    release();
    release();
    await Promise.all([first, second]);
    const next = fetch(`${base}/graphql?n=next`);
    await until(() => started.includes('/graphql?n=next'));
    release();
    await next;
    expect(started).not.toContain('/graphql?n=gone');
  });
});
