// Runs every hostile case against one stack in one mode: each case is its own named test, and after
// each category a normal patient query must still answer correctly.
import { errorCodes, postGraphQL } from '../graphql-client.js';
import { sandboxRequests } from '../sandbox-client.js';
import { useTestStack } from '../stack.js';
import { CATEGORIES } from './cases/index.js';
import type { HostileCase, Mode } from './hostile-case.js';
import { sendCase, type RawResponse } from './send-case.js';

const SECRET = 'hostile-suite-internal-token-secret-0123456789';

/** What must never leave nhs-graph, whatever was sent. */
const LEAKS: Array<[string, RegExp]> = [
  ['a stack trace', /\bat [\w.<>]+ \(|\.(ts|js):\d+:\d+|node_modules/],
  ['an internal host:port', /127\.0\.0\.1:\d+|localhost:\d+|ECONNREFUSED/],
  ['the internal request', /"request"\s*:\s*\{/],
  ['an internal error code', /SUBREQUEST_HTTP_ERROR|DOWNSTREAM_SERVICE_ERROR/],
  ['the internal token secret', new RegExp(SECRET)],
];

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

export function runHostileSuite(mode: Mode): void {
  const stack = useTestStack({
    NODE_ENV: mode,
    INTERNAL_TOKEN_SECRET: SECRET,
    // The suite sends a few hundred requests as one clerk within a minute.
    RATE_LIMIT_REQUESTS: '100000',
    // A stalled body is answered within the suite's time (the default is 10 s).
    GATEWAY_BODY_TIMEOUT_MS: '2000',
  });

  async function judge(hostile: HostileCase, response: RawResponse): Promise<void> {
    const { expect: want } = hostile;
    const firstCode = response.json?.errors?.[0]?.extensions?.['code'];
    // Compared as { code, status } so a failure reads "expected X, got Y".
    const got = { code: firstCode, status: response.status };
    const wanted = { code: firstCode, status: response.status };
    if (want.code !== undefined && !asList<unknown>(want.code).includes(firstCode))
      wanted.code = asList(want.code).join(' | ');
    if (want.status !== undefined && !asList(want.status).includes(response.status))
      wanted.status = asList(want.status).join(' | ') as unknown as number;
    expect(got).toEqual(wanted);
    if (want.noData) expect(JSON.stringify(response.json?.data ?? null)).not.toMatch(/9000000|"name"|"text"/);
    for (const [header, pattern] of Object.entries(want.headers ?? {})) {
      if (pattern === null) expect(response.headers[header]).toBeUndefined();
      else expect(response.headers[header]).toMatch(pattern);
    }
    if (want.bodyNot) expect(response.text).not.toMatch(want.bodyNot);
    for (const [what, pattern] of LEAKS)
      expect({ what, leaked: pattern.test(response.text) }).toEqual({ what, leaked: false });
    expect(JSON.stringify(Object.values(response.headers))).not.toContain(SECRET);
    if (want.upstreamPathNot || want.noUpstreamCall) {
      const { log } = await sandboxRequests(stack.sandboxUrl);
      const calls = log.map((entry) => `${entry.method} ${entry.path}`);
      if (want.noUpstreamCall) expect(calls).toEqual([]);
      if (want.upstreamPathNot) expect(calls.filter((call) => want.upstreamPathNot!.test(call))).toEqual([]);
    }
  }

  const categories = CATEGORIES.map((category) => ({
    name: category.name,
    cases: category.cases.filter((hostile) => (hostile.modes ?? [mode]).includes(mode)),
  })).filter((category) => category.cases.length > 0);

  describe.each(categories.map((category) => [category.name, category] as const))(
    '%s',
    (_name, { cases }) => {
      test.each(cases.map((hostile) => [hostile.name, hostile] as const))(
        '%s',
        async (_caseName, hostile) => {
          await judge(hostile, await sendCase(stack, hostile, SECRET));
        },
      );

      test('a normal patient query still answers afterwards', async () => {
        const response = await postGraphQL(
          stack.gatewayUrl,
          'query Normal($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber name { family } } }',
          { n: '9000000009' },
          await stack.bearer('clerk'),
        );
        expect(errorCodes(response)).toEqual([]);
        expect(response.status).toBe(200);
        const patient = response.body.data?.['patient'] as
          { nhsNumber?: string; name?: { family?: unknown } } | undefined;
        expect(patient?.nhsNumber).toBe('9000000009');
        expect(typeof patient?.name?.family).toBe('string');
      });
    },
  );
}
