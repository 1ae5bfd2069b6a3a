// Free text written upstream (issue 15, 5): updatePatientAddress lines and postcode with control
// characters, line separators or markup are refused with BAD_USER_INPUT and nothing is sent to PDS.
import { randomUUID } from 'node:crypto';
import type { HostileCase, HostileCategory } from '../hostile-case.js';

const UPDATE = `mutation U($input: UpdatePatientAddressInput!) {
  updatePatientAddress(input: $input) { nhsNumber version }
}`;
const NO_PDS_WRITE = /^PATCH /;

const HOSTILE_LINES: Array<[string, string]> = [
  ['CR/LF', '1 Street\r\nX-Injected: 1'],
  ['a LF', '1 Street\nLeeds'],
  ['a NUL', '1 Street\u0000'],
  ['a TAB', '1\tStreet'],
  ['U+2028', '1 Street\u2028Leeds'],
  ['U+2029', '1 Street\u2029Leeds'],
  ['markup', '<script>alert(1)</script>'],
  ['a bell', '1 Street\u0007'],
  ['a right-to-left override', '\u202e1 Street'],
  ['a byte-order mark', '\ufeff1 Street'],
  ['DEL', '1 Street\u007f'],
  ['a C1 control', '1 Street\u0085'],
  ['101 characters', 'a'.repeat(101)],
  ['an empty line', ''],
  ['a blank line', '   '],
];

const update = (name: string, lines: string[], postcode = 'LS1 4BU'): HostileCase => ({
  name,
  auth: 'clerk',
  body: {
    query: UPDATE,
    variables: {
      input: { nhsNumber: '9000000009', version: '2', lines, postcode, idempotencyKey: randomUUID() },
    },
  },
  expect: { code: 'BAD_USER_INPUT', noData: true, upstreamPathNot: NO_PDS_WRITE },
});

export const writes: HostileCategory = {
  name: 'hostile free text in updatePatientAddress',
  cases: [
    ...HOSTILE_LINES.map(([label, line]) => update(`an address line with ${label}`, ['1 Street', line])),
    update('six address lines', ['a', 'b', 'c', 'd', 'e', 'f']),
    update('no address lines', []),
    ...[
      ['CR/LF', 'LS1 4BU\r\nX: 1'],
      ['markup', '<b>LS1</b>'],
      ['a NUL', 'LS1\u00004BU'],
      ['U+2028', 'LS1\u20284BU'],
      ['100 characters', 'L'.repeat(100)],
    ].map(([label, postcode]) => update(`a postcode with ${label}`, ['1 Street'], postcode)),
    {
      name: 'an idempotency key with CR/LF',
      auth: 'clerk',
      body: {
        query: UPDATE,
        variables: {
          input: {
            nhsNumber: '9000000009',
            version: '2',
            lines: ['1 Street'],
            postcode: 'LS1 4BU',
            idempotencyKey: `${randomUUID()}\r\nX: 1`,
          },
        },
      },
      expect: { code: 'BAD_USER_INPUT', noData: true, upstreamPathNot: NO_PDS_WRITE },
    },
    {
      name: 'a version with a quote (becomes If-Match)',
      auth: 'clerk',
      body: {
        query: UPDATE,
        variables: {
          input: {
            nhsNumber: '9000000009',
            version: '2"\r\nX: 1',
            lines: ['1 Street'],
            postcode: 'LS1 4BU',
            idempotencyKey: randomUUID(),
          },
        },
      },
      expect: { code: 'BAD_USER_INPUT', noData: true, upstreamPathNot: NO_PDS_WRITE },
    },
  ],
};
