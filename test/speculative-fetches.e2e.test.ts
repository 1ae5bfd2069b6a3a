// Speculative entity fetches end to end (gateway/speculative-fetches.ts): once the gateway has
// seen a query shape fetch the GP record keyed only by the NHS number the query names, it asks
// careRecord (and so GP Connect) at the same time as demographics (PDS) instead of after it. What
// must hold: the answers are exactly the plan's, with no extra call when the guess was right; when
// PDS's answer changes the key (a superseded number) or removes the patient (unknown number), the
// early answer is dropped — none of its data or errors reach the client — and the plan fetches as
// usual.
import { errorCodes, postGraphQL } from './graphql-client.js';
import { resetSandbox, sandboxRequests, structuredRecordCalls } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({
  SANDBOX_SYNTHETIC_PATIENTS: '0',
});
let asClinician: Record<string, string>;

beforeAll(async () => {
  asClinician = bearer(await mintToken(stack.sandboxUrl, 'clinician'));
}, 60_000);

const structuredCalls = () => structuredRecordCalls(stack.sandboxUrl);

const summary = (nhsNumber: string, headers: Record<string, string> = asClinician) =>
  postGraphQL(
    stack.gatewayUrl,
    `query Summary($nhsNumber: NhsNumber!) {
      patient(nhsNumber: $nhsNumber) {
        nhsNumber
        name { family }
        allergies { active { items { code { code display } } } }
        medications { items { code { code } } }
      }
    }`,
    { nhsNumber },
    headers,
  );

/** The gateway's count of speculative fetches with this outcome (Prometheus text). */
async function speculative(outcome: 'used' | 'discarded'): Promise<number> {
  const text = await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/metrics')).then((r) => r.text());
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('nhs_graph_speculative_entity_fetches_total{') && l.includes(`outcome="${outcome}"`),
    );
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('speculative entity fetches through the gateway', () => {
  it('serves the early GP record once the shape is known: same answer, one GP Connect call', async () => {
    const first = await summary('9000000009');
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.['patient']).toMatchObject({ nhsNumber: '9000000009' });

    await resetSandbox(stack.sandboxUrl);
    const usedBefore = await speculative('used');
    const second = await summary('9000000009');
    expect(second.body).toEqual(first.body);
    expect(await structuredCalls()).toBe(1);
    expect(await speculative('used')).toBe(usedBefore + 1);
  }, 30_000);

  it('drops the early answer when PDS answers with another (current) NHS number', async () => {
    await summary('9000000009'); // the shape is known
    const current = await summary('9000000009');
    await resetSandbox(stack.sandboxUrl);
    const discardedBefore = await speculative('discarded');

    const superseded = await summary('5900053636');
    expect(superseded.body.errors).toBeUndefined();
    // PDS serves the current record; its GP record is the current number's, not the old one's.
    expect(superseded.body.data).toEqual(current.body.data);
    // The early call (old number) and the plan's own (current number).
    expect(await structuredCalls()).toBe(2);
    expect(await speculative('discarded')).toBe(discardedBefore + 1);
  }, 30_000);

  it('keeps the plan’s answer for an unknown patient: NOT_FOUND only, nothing from the early call', async () => {
    await summary('9000000009'); // the shape is known
    await resetSandbox(stack.sandboxUrl);

    const unknown = await summary('9111231130');
    expect(unknown.body.data).toEqual({ patient: null });
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
    // GP Connect was asked before PDS had answered; that answer went nowhere.
    expect(await structuredCalls()).toBe(1);
  }, 30_000);

  it('gives a citizen nothing of someone else’s record, early or not: GP Connect is never asked', async () => {
    const citizen = bearer(
      await mintToken(stack.sandboxUrl, 'citizen', { nhsNumber: '9000000009', level: 'P9' }),
    );
    expect((await summary('9000000009', citizen)).body.errors).toBeUndefined(); // their own: the shape is known
    await resetSandbox(stack.sandboxUrl);
    const discardedBefore = await speculative('discarded');

    const someoneElse = await summary('9000000017', citizen);
    expect(someoneElse.body.data).toEqual({ patient: null });
    expect(errorCodes(someoneElse)).toEqual(['FORBIDDEN']);
    // The early fetch was made, and careRecord refused it before any call to GP Connect.
    expect(await speculative('discarded')).toBe(discardedBefore + 1);
    expect(await structuredCalls()).toBe(0);
  }, 30_000);

  it('drops the early answer for a many-patient query when one patient is unknown, and answers the rest', async () => {
    const many = (numbers: string[]) =>
      postGraphQL(
        stack.gatewayUrl,
        `{ ${numbers
          .map(
            (n, i) =>
              `p${i}: patient(nhsNumber: "${n}") { nhsNumber allergies { active { items { code { code } } } } }`,
          )
          .join(' ')} }`,
        undefined,
        asClinician,
      );
    const known = await many(['9000000009', '9000000017']);
    expect(known.body.errors).toBeUndefined();
    await resetSandbox(stack.sandboxUrl);
    const discardedBefore = await speculative('discarded');

    const withUnknown = await many(['9000000009', '9111231130']);
    expect(withUnknown.body.data).toEqual({ p0: known.body.data?.['p0'], p1: null });
    expect(errorCodes(withUnknown)).toEqual(['NOT_FOUND']);
    // Early: both numbers (one call each); then the plan's own, for the one PDS knows.
    expect(await structuredCalls()).toBe(3);
    expect(await speculative('discarded')).toBe(discardedBefore + 1);
  }, 30_000);

  it('refuses an invalid NHS number given as a variable default before any fetch, early or not', async () => {
    const withDefault = (variables?: Record<string, unknown>) =>
      postGraphQL(
        stack.gatewayUrl,
        `query Defaulted($n: NhsNumber = "1234567890") {
          patient(nhsNumber: $n) { nhsNumber allergies { active { items { code { code } } } } }
        }`,
        variables,
        asClinician,
      );
    // Teaches the shape (before the fix, a provided variable was checked and the document ran); a
    // document whose default is invalid is now refused as a whole, whatever the variables.
    await withDefault({ n: '9000000009' });
    await resetSandbox(stack.sandboxUrl);

    const refused = await withDefault();
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect((await sandboxRequests(stack.sandboxUrl)).log).toEqual([]);
  }, 30_000);
});
