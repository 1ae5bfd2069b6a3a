// Seeded generator of synthetic people, the volume behind the sandbox upstreams. It produces
// neutral facts (no FHIR), so every national-service stand-in (PDS now; GP Connect, e-RS later)
// can describe the same people by the same NHS numbers. Deterministic for a seed: no Math.random.
import { nhsNumberCheckDigit } from '../platform/nhs-number.js';

export type Gender = 'male' | 'female' | 'other' | 'unknown';
/** UK Core DeathNotificationStatus: '1' informal (local NHS organisation), '2' formal (registrar). */
export type DeathNotification = 'informal' | 'formal';

export interface SyntheticPerson {
  nhsNumber: string;
  given: string[];
  family: string;
  prefix: string;
  gender: Gender;
  birthDate: string; // YYYY-MM-DD
  address: { line: string[]; postalCode: string; since: string };
  phone: string;
  email: string;
  gp: { odsCode: string; since: string };
  restricted: boolean;
  death: { dateTime: string; notification: DeathNotification } | null;
  versionId: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_SYNTHETIC_PATIENTS = 1000;
/** The 999 test range holds ~900k valid numbers; stay far below so generation always terminates fast. */
export const MAX_SYNTHETIC_PATIENTS = 100_000;

/** Fractions chosen so 1000 patients always include every interesting case several times. */
const RESTRICTED_RATE = 0.05;
const DECEASED_RATE = 0.08;

/** mulberry32: tiny, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function createPrng(seed: number): () => number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32): ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Numbers other sandboxes give a meaning to: 9999999999 is GP Connect's "patient not in system".
const RESERVED_NUMBERS = new Set(['9999999999']);

// Lists include homophones (Smith/Smyth, Thompson/Thomson) so fuzzy search has work to do.
const MALE_GIVEN = ['Oliver', 'George', 'Harry', 'Jack', 'Noah', 'Leo', 'Arthur', 'Thomas', 'James', 'Adam'];
const FEMALE_GIVEN = ['Olivia', 'Amelia', 'Isla', 'Ava', 'Jane', 'Jayne', 'Lily', 'Grace', 'Sophie', 'Ann'];
const NEUTRAL_GIVEN = ['Alex', 'Sam', 'Charlie', 'Jordan', 'Robin', 'Morgan'];
const FAMILY = [
  'Smith',
  'Smyth',
  'Smythe',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Thompson',
  'Thomson',
  'Evans',
  'Walker',
  "O'Reilly",
  'Khan',
  'Patel',
  'Nowak',
  'Smith-Jones',
  'Clarke',
];
const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Mill Lane', 'Park Avenue', 'Victoria Road'];
const PLACES = [
  { outward: 'LS1', town: 'Leeds', county: 'West Yorkshire' },
  { outward: 'LS6', town: 'Leeds', county: 'West Yorkshire' },
  { outward: 'M1', town: 'Manchester', county: 'Greater Manchester' },
  { outward: 'B15', town: 'Birmingham', county: 'West Midlands' },
  { outward: 'DN16', town: 'Scunthorpe', county: 'North Lincolnshire' },
  { outward: 'DN17', town: 'Scunthorpe', county: 'North Lincolnshire' },
  { outward: 'NE1', town: 'Newcastle upon Tyne', county: 'Tyne and Wear' },
  { outward: 'BS1', town: 'Bristol', county: 'Bristol' },
];
// Inward-code letters never include C, I, K, M, O or V (Royal Mail PAF rules).
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
// GP practice ODS codes that appear in the real published fixtures (PDS sandbox Y12345, PDS INT
// A20047, ODS IG example G81086) so Patient.registeredGp can join to the ODS stand-in later.
const GP_ODS_CODES = ['Y12345', 'A20047', 'G81086'];

const DAY_MS = 86_400_000;
const FIRST_BIRTH = Date.UTC(1930, 0, 1);
const LAST_BIRTH = Date.UTC(2023, 11, 31);
const LAST_EVENT = Date.UTC(2024, 11, 31);

class Picker {
  constructor(readonly next: () => number) {}
  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A UTC day in [fromMs, toMs]. */
  day(fromMs: number, toMs: number): number {
    return fromMs + this.int(0, Math.floor((toMs - fromMs) / DAY_MS)) * DAY_MS;
  }
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function nextNhsNumber(p: Picker, used: Set<string>): string {
  for (;;) {
    const firstNine = `999${String(p.int(0, 999_999)).padStart(6, '0')}`;
    const check = nhsNumberCheckDigit(firstNine);
    if (check === null) continue; // a check digit of 10 means no valid number starts this way
    const candidate = `${firstNine}${check}`;
    if (used.has(candidate) || RESERVED_NUMBERS.has(candidate)) continue;
    used.add(candidate);
    return candidate;
  }
}

function genderAndNames(p: Picker): Pick<SyntheticPerson, 'gender' | 'given' | 'prefix'> {
  const roll = p.next();
  const gender: Gender = roll < 0.48 ? 'male' : roll < 0.96 ? 'female' : roll < 0.98 ? 'other' : 'unknown';
  const pool = gender === 'male' ? MALE_GIVEN : gender === 'female' ? FEMALE_GIVEN : NEUTRAL_GIVEN;
  const given = [p.pick(pool)];
  if (p.chance(0.3)) given.push(p.pick(pool.filter((name) => name !== given[0])));
  const prefix =
    gender === 'male'
      ? p.pick(['Mr', 'Mr', 'Dr'])
      : gender === 'female'
        ? p.pick(['Mrs', 'Ms', 'Miss'])
        : 'Mx';
  return { gender, given, prefix };
}

function onePerson(p: Picker, used: Set<string>): SyntheticPerson {
  const nhsNumber = nextNhsNumber(p, used);
  const { gender, given, prefix } = genderAndNames(p);
  const family = p.pick(FAMILY);
  const born = p.day(FIRST_BIRTH, LAST_BIRTH);
  const place = p.pick(PLACES);
  const inward = `${p.int(1, 9)}${p.pick([...INWARD_LETTERS])}${p.pick([...INWARD_LETTERS])}`;
  const serial = p.int(0, 999);
  const emailLocal = `${given[0]}.${family}`.toLowerCase().replace(/[^a-z.]/g, '');
  // Events (moving house, registering with a GP) happen between birth and death, if any.
  const diedMs = p.chance(DECEASED_RATE) ? p.day(born, LAST_EVENT) : null;
  const lastEvent = diedMs ?? LAST_EVENT;
  const death =
    diedMs === null
      ? null
      : {
          dateTime: `${isoDate(diedMs)}T${String(p.int(0, 23)).padStart(2, '0')}:00:00+00:00`,
          notification: p.chance(0.5) ? ('informal' as const) : ('formal' as const),
        };
  return {
    nhsNumber,
    given,
    family,
    prefix,
    gender,
    birthDate: isoDate(born),
    address: {
      line: [`${p.int(1, 180)} ${p.pick(STREETS)}`, place.town, place.county],
      postalCode: `${place.outward} ${inward}`,
      since: isoDate(p.day(born, lastEvent)),
    },
    // Ofcom reserves 01632 960000-960999 for drama: never a real subscriber (Patient.json uses it too).
    phone: `01632960${String(serial).padStart(3, '0')}`,
    email: `${emailLocal}${serial}@example.com`,
    gp: { odsCode: p.pick(GP_ODS_CODES), since: isoDate(p.day(born, lastEvent)) },
    restricted: p.chance(RESTRICTED_RATE),
    death,
    versionId: p.int(1, 5),
  };
}

/** `count` synthetic people for `seed`; the same arguments always give the same people. */
export function generatePeople(seed = DEFAULT_SEED, count = DEFAULT_SYNTHETIC_PATIENTS): SyntheticPerson[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_SYNTHETIC_PATIENTS) {
    throw new RangeError(`syntheticPatients must be an integer in [0, ${MAX_SYNTHETIC_PATIENTS}]: ${count}`);
  }
  const picker = new Picker(createPrng(seed));
  const used = new Set<string>();
  return Array.from({ length: count }, () => onePerson(picker, used));
}
