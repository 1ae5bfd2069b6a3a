// The people NHS login can vouch for, so a citizen token carries the family name and birth date
// of a real test identity. Real NHS login takes these from the user's PDS record, so PDS comes
// first: the published PDS sandbox patients, then the sandbox's synthetic patients, then NHS
// login's own published sandpit test accounts (fixtures/nhslogin, provenance in fixtures/PROVENANCE.md).
import { readFileSync } from 'node:fs';
import { loadFixturePatients } from '../pds/fixtures.js';
import type { SyntheticPerson } from '../synthetic.js';

export interface Citizen {
  familyName: string;
  /** YYYY-MM-DD, the format of the `birthdate` claim (OIDC Core §5.1). */
  birthDate: string;
  /** Where the identity comes from, for the README and for debugging a surprising claim. */
  source: 'pds-fixture' | 'synthetic' | 'nhs-login-sandpit';
}

const SANDPIT_ACCOUNTS = new URL(
  './fixtures/nhslogin/sandpit-test-data.NHS_login_User_Accounts.csv',
  import.meta.url,
);
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/**
 * The sheet's dates are either dd/mm/yyyy or, where Excel kept a date cell, its serial day number
 * (days since 1899-12-30; MANIFEST.md notes this for this file).
 */
export function parseSandpitDate(cell: string): string {
  const dmy = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(cell);
  if (dmy !== null) return `${dmy[3]}-${dmy[2]}-${dmy[1]}`;
  if (/^\d{1,5}$/.test(cell))
    return new Date(EXCEL_EPOCH_MS + Number(cell) * DAY_MS).toISOString().slice(0, 10);
  throw new Error(`unrecognised NHS login sandpit date '${cell}'`);
}

/** NHS number -> sandpit account. The sheet lists two numbers twice; the first row wins. */
export function loadSandpitAccounts(csv = readFileSync(SANDPIT_ACCOUNTS, 'utf8')): Map<string, Citizen> {
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  const columns = (header ?? '').split(',');
  const at = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`NHS login sandpit CSV has no '${name}' column`);
    return index;
  };
  const [nhs, surname, dob] = [at('NHS Number'), at('Surname'), at('Date of Birth')];
  const accounts = new Map<string, Citizen>();
  for (const row of rows) {
    // The published sheet has no quoted cells; refuse one rather than misread it.
    if (row.includes('"')) throw new Error(`quoted CSV cells are not supported: ${row}`);
    const cells = row.split(',');
    const nhsNumber = cells[nhs] ?? '';
    if (accounts.has(nhsNumber)) continue;
    accounts.set(nhsNumber, {
      familyName: cells[surname] ?? '',
      birthDate: parseSandpitDate(cells[dob] ?? ''),
      source: 'nhs-login-sandpit',
    });
  }
  return accounts;
}

export class CitizenDirectory {
  private readonly citizens = new Map<string, Citizen>();

  constructor(people: readonly SyntheticPerson[]) {
    for (const [nhsNumber, account] of loadSandpitAccounts()) this.citizens.set(nhsNumber, account);
    for (const person of people) {
      this.citizens.set(person.nhsNumber, {
        familyName: person.family,
        birthDate: person.birthDate,
        source: 'synthetic',
      });
    }
    for (const [nhsNumber, patient] of loadFixturePatients()) {
      const name = patient.name?.find((n) => n.use === 'usual') ?? patient.name?.[0];
      if (name?.family === undefined || patient.birthDate === undefined) continue; // nothing to vouch for
      this.citizens.set(nhsNumber, {
        familyName: name.family,
        birthDate: patient.birthDate,
        source: 'pds-fixture',
      });
    }
  }

  /** Undefined for a number nobody holds: the token then carries the number without demographics. */
  get(nhsNumber: string): Citizen | undefined {
    return this.citizens.get(nhsNumber);
  }
}
