// Every code a client can receive is documented once (ERROR_CODES), and the README's table is
// the one made from it.
import { readFileSync } from 'node:fs';
import { ERROR_CODES, ErrorCode } from './errors.js';
import { withTable } from '../scripts/error-codes.js';

describe('error codes', () => {
  it.each(Object.values(ErrorCode))('%s has its HTTP statuses and a meaning', (code) => {
    const doc = ERROR_CODES[code];
    expect(doc.statuses.length).toBeGreaterThan(0);
    for (const status of doc.statuses) expect(status >= 200 && status < 600).toBe(true);
    expect(doc.meaning.length).toBeGreaterThan(10);
  });

  it('documents no code that is not declared', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('is listed in the README as scripts/error-codes.ts writes it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(withTable(readme)).toBe(readme);
  });
});
