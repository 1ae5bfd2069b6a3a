// A pool of real, distinct tokens from the sandbox issuers (each has its own jti), minted before
// any load so minting never competes with the gateway for CPU.
import { generatePeople } from '../sandbox/synthetic.js';
import { mintToken, type MintOptions, type Profile } from '../test/tokens.js';

export type TokenFor = (index: number) => { profile: Profile; options?: MintOptions };

/** The sandbox's default seed (sandbox/main.ts), so the bench knows its people. */
export const SANDBOX_SEED = 42;

/** A member of staff (the sandbox's CIS2 clerk: one subject, whatever the token). */
export const clerk: TokenFor = () => ({ profile: 'clerk' });

/**
 * A GP (the sandbox's CIS2 clinician: one subject, whatever the token), whose selected role carries
 * clinical activities (B0360, B0380, …) as well as B0825: the GP record needs a clinical activity.
 */
export const clinician: TokenFor = () => ({ profile: 'clinician' });

/**
 * Distinct citizens (NHS login, P9), one sandbox person each: many callers, as real traffic has,
 * so per-caller rate limits count as they would in production.
 */
export function citizens(): TokenFor {
  const numbers = generatePeople(SANDBOX_SEED).map((person) => person.nhsNumber);
  return (index) => ({
    profile: 'citizen',
    options: { nhsNumber: numbers[index % numbers.length] as string, level: 'P9' },
  });
}

export async function mintTokenPool(sandboxUrl: string, tokenFor: TokenFor, size: number): Promise<string[]> {
  const tokens: string[] = [];
  const CONCURRENCY = 8;
  for (let start = 0; start < size; start += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, size - start) }, (_, offset) =>
      tokenFor(start + offset),
    );
    tokens.push(
      ...(await Promise.all(batch.map(({ profile, options }) => mintToken(sandboxUrl, profile, options)))),
    );
  }
  if (new Set(tokens).size !== tokens.length) throw new Error('the sandbox minted the same token twice');
  return tokens;
}
