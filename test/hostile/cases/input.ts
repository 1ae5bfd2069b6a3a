// Canonical input and variables: every value that becomes part of an upstream URL is checked to its
// documented shape before any fetch — as a variable, a literal and a variable's default value
// (issue 15, 2 and 4). Generated from the injection values × the arguments that reach an upstream.
import { randomUUID } from 'node:crypto';
import type { Auth, HostileCase, HostileCategory } from '../hostile-case.js';
import { HOSTILE_IN_PATH, INJECTION_VALUES } from './injection-values.js';

interface Argument {
  name: string;
  /** The operation, with `$v` as the value. */
  document: (declaration: string) => string;
  type: string;
  /** A value of the documented shape is not hostile for this argument: skip it. */
  valid: RegExp;
  auth: Auth;
}

const ARGUMENTS: Argument[] = [
  {
    name: 'patient(nhsNumber)',
    type: 'NhsNumber!',
    document: (d) => `query Q${d} { patient(nhsNumber: $v) { nhsNumber } }`,
    valid: /^\d{10}$/,
    auth: 'clerk',
  },
  {
    name: 'organisation(odsCode)',
    type: 'String!',
    document: (d) => `query Q${d} { organisation(odsCode: $v) { name } }`,
    valid: /^[A-Z0-9]{3,10}$/,
    auth: 'clerk',
  },
  {
    name: 'referral(ubrn)',
    type: 'String!',
    document: (d) => `query Q${d} { referral(ubrn: $v) { ubrn } }`,
    valid: /^\d{12}$/,
    auth: 'clinician',
  },
  {
    name: 'medicine(code)',
    type: 'ID!',
    document: (d) => `query Q${d} { medicine(code: $v) { code } }`,
    valid: /^\d{6,18}$/,
    auth: 'clinician',
  },
];

const noLeak = { noData: true, upstreamPathNot: HOSTILE_IN_PATH } as const;
const hostile = INJECTION_VALUES;

const asVariable = (arg: Argument): HostileCase[] =>
  hostile
    .filter(([, value]) => !arg.valid.test(value))
    .map(([label, value]) => ({
      name: `${arg.name} variable: ${label}`,
      auth: arg.auth,
      body: { query: arg.document(`($v: ${arg.type})`), variables: { v: value } },
      expect: { code: 'BAD_USER_INPUT', ...noLeak },
    }));

const asDefault = (arg: Argument): HostileCase[] =>
  hostile
    .filter(([, value]) => !arg.valid.test(value) && value.length < 1000)
    .map(([label, value]) => ({
      name: `${arg.name} default value: ${label}`,
      auth: arg.auth,
      body: { query: arg.document(`($v: ${arg.type.replace(/!$/, '')} = ${JSON.stringify(value)})`) },
      expect: { code: 'BAD_USER_INPUT', ...noLeak },
    }));

const asLiteral = (arg: Argument): HostileCase[] =>
  hostile
    .filter(([, value]) => !arg.valid.test(value) && value.length < 1000)
    .map(([label, value]) => ({
      name: `${arg.name} literal: ${label}`,
      auth: arg.auth,
      body: { query: arg.document('').replace('$v', JSON.stringify(value)) },
      expect: { code: 'BAD_USER_INPUT', ...noLeak },
    }));

// Issue 15, 4: the early GP record fetch started from a default value that skipped the check.
const earlyFetchDefaults: HostileCase[] = [
  ['a number failing Modulus 11', '9000000001'],
  ...hostile.filter(([, value]) => value.length < 1000).slice(0, 6),
].map(([label, value]) => ({
  name: `clinical record with a default NHS number: ${label}`,
  auth: 'clinician',
  body: {
    query: `query Q($v: NhsNumber = ${JSON.stringify(value)}) { patient(nhsNumber: $v) { nhsNumber allergies { __typename } } }`,
  },
  expect: { code: 'BAD_USER_INPUT', noData: true, noUpstreamCall: true },
}));

// Issue 15, 2: ids in inputs (appointmentId ".." reached GP Connect as GET …/fhir/).
const appointmentIds: HostileCase[] = hostile
  .filter(([, value]) => value.length < 1000)
  .map(([label, value]) => ({
    name: `cancelAppointment appointmentId: ${label}`,
    auth: 'clinician',
    body: {
      query: `mutation C($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { id } }`,
      variables: {
        input: {
          nhsNumber: '9000000009',
          appointmentId: value,
          reason: 'hostile',
          idempotencyKey: randomUUID(),
        },
      },
    },
    expect: {
      code: 'BAD_USER_INPUT',
      noData: true,
      upstreamPathNot: /^(PUT|POST|DELETE|PATCH) |\/fhir\/?$|\/Appointment\/?$/,
    },
  }));

export const input: HostileCategory = {
  name: 'canonical input, variables and default values',
  cases: [
    ...ARGUMENTS.flatMap((arg) => [...asVariable(arg), ...asLiteral(arg), ...asDefault(arg)]),
    ...earlyFetchDefaults,
    ...appointmentIds,
  ],
};
