// The GP Connect adapter behind a stable interface, and the only place the careRecord subgraph
// makes network calls. Clinical data is never cached here or anywhere else: every request reads the
// practice's record afresh (one structured-record call per patient per request, with the union of
// the sections that request asked for). Every call carries the Ssp-* headers and a fresh audit JWT
// (mapping.ts auditClaims); every read and write is audited before it is served (platform/audit).
import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { failedRead, servedIfAudited, type UpstreamRead } from '../../platform/audit/index.js';
import { mapWithConcurrency } from '../../platform/concurrency.js';
import type { GpConnectConsumerConfig } from './manifest.js';
import { ErrorCode, graphError, upstreamInvalidResponse } from '../../platform/errors.js';
import { type UpstreamClient, type UpstreamResponse, upstreamPath } from '../../platform/http.js';
import { checkPrincipalClaims } from '../../platform/upstream-keys.js';
import type { IdempotencyStore } from '../../platform/idempotency.js';
import { auditedWrite, keyedWrite } from '../../platform/keyed-write.js';
import type { RequestScope } from '../../platform/subgraph.js';
import { upstreamErrorMapper } from '../../platform/upstream-errors.js';
import { parseAppointment, parseSearchBundle } from './appointments/fhir.js';
import { parseOperationOutcome } from './fhir.js';
import { toUpstreamError } from './mapping-errors.js';
import { parseStructuredBundle } from './record/fhir.js';
import { SERVICE, toCareRecord } from './record/mapping.js';
import { auditClaims, structuredRecordParameters, type RequestedScope } from './record/mapping-requests.js';
import {
  appointmentsOf,
  bookingAppointment,
  cancellationAppointment,
  patientIdFrom,
  toAppointment,
  toFreeSlots,
} from './appointments/mapping.js';
import type {
  Appointment,
  BookAppointmentRequest,
  CancelAppointmentRequest,
  CareRecord,
  FreeSlot,
  Section,
  SectionRequest,
} from './model.js';

/** The sections one request asks of one patient. */
export interface PatientSections {
  nhsNumber: string;
  sections: readonly SectionRequest[];
}

export interface DateRange {
  from: string;
  to: string;
}

export interface CareRecordSource {
  /** One result per patient, in order: the sections asked, from one structured-record call each. */
  getRecords(patients: readonly PatientSections[]): Promise<Array<CareRecord | GraphQLError>>;
  /** Free slots starting within `range` (instants). */
  searchFreeSlots(range: DateRange): Promise<FreeSlot[]>;
  /** The patient's appointments starting within `range` (dates); none when the practice does not hold them. */
  getAppointments(nhsNumber: string, range: DateRange): Promise<Appointment[]>;
  /** Books once per idempotency key (platform/idempotency.ts). */
  bookAppointment(request: BookAppointmentRequest, idempotencyKey: string): Promise<Appointment>;
  /** Cancels once per idempotency key; an appointment already cancelled is returned as it is. */
  cancelAppointment(request: CancelAppointmentRequest, idempotencyKey: string): Promise<Appointment>;
}

export interface GpConnectSettings {
  /** GPCONNECT_BASE_URL: the provider's host as reached through the Spine Secure Proxy. */
  baseUrl: string;
  consumer: GpConnectConsumerConfig;
}

/** Structured-record calls in flight for one request (the client bounds the process as a whole). */
export const GPCONNECT_PATIENT_CONCURRENCY = 5;

/** Interaction ids (integration_interaction_ids.md) and the JWT scope each needs. */
const INTERACTIONS = {
  structured: ['urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1', 'patient/*.read'],
  searchPatient: ['urn:nhs:names:services:gpconnect:fhir:rest:search:patient-1', 'patient/*.read'],
  searchSlots: ['urn:nhs:names:services:gpconnect:fhir:rest:search:slot-1', 'organization/*.read'],
  book: ['urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1', 'patient/*.write'],
  readAppointment: ['urn:nhs:names:services:gpconnect:fhir:rest:read:appointment-1', 'patient/*.read'],
  cancel: ['urn:nhs:names:services:gpconnect:fhir:rest:cancel:appointment-1', 'patient/*.write'],
  patientAppointments: [
    'urn:nhs:names:services:gpconnect:fhir:rest:search:patient_appointments-1',
    'patient/*.read',
  ],
} as const satisfies Record<string, readonly [string, RequestedScope]>;
type Interaction = keyof typeof INTERACTIONS;

const SECTION_RESOURCES: Record<Section, string[]> = {
  allergies: ['AllergyIntolerance'],
  medications: ['MedicationStatement', 'MedicationRequest', 'Medication'],
  problems: ['Condition'],
  immunisations: ['Immunization'],
};

export function createGpConnectSource(
  client: UpstreamClient,
  settings: GpConnectSettings,
  scope: Pick<RequestScope, 'correlationId' | 'audit' | 'principal'>,
  idempotency?: IdempotencyStore,
): CareRecordSource {
  const { correlationId, audit, principal } = scope;
  const ods = settings.consumer.providerOdsCode;
  // The provider's FHIR service roots as SDS publishes them for a practice (one practice here).
  const roots = {
    structured: upstreamPath`/${ods}/STU3/1/gpconnect/structured/fhir`,
    appointments: upstreamPath`/${ods}/STU3/1/gpconnect/fhir`,
  };
  const now = () => new Date().toISOString();
  const writeScope = { principal, idempotency };

  interface Call {
    method?: 'GET' | 'POST' | 'PUT';
    query?: URLSearchParams;
    body?: unknown;
    /** A keyed write's request id (`requestIdFor`), sent as Ssp-TraceID and X-Request-ID. */
    requestId?: string;
    idempotent?: boolean;
  }

  async function call(interaction: Interaction, path: string, options: Call = {}): Promise<UpstreamResponse> {
    // The caller's ODS code and role id travel in the audit JWT (mapping-requests.ts).
    checkPrincipalClaims(principal);
    const [interactionId, requestedScope] = INTERACTIONS[interaction];
    const root = interaction === 'structured' ? roots.structured : roots.appointments;
    const claims = auditClaims({
      principal,
      audience: `${settings.baseUrl}${root}`,
      requestedScope,
      consumer: {
        asid: settings.consumer.consumerAsid,
        odsCode: settings.consumer.consumerOrganisation.odsCode,
        name: settings.consumer.consumerOrganisation.name,
      },
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    return client.request({
      method: options.method ?? 'GET',
      path: `${root}${path}`,
      ...(options.query ? { query: options.query } : {}),
      ...(options.body === undefined ? {} : { body: options.body }),
      headers: {
        'Ssp-TraceID': options.requestId ?? randomUUID(),
        'Ssp-From': settings.consumer.consumerAsid,
        'Ssp-To': settings.consumer.providerAsid,
        'Ssp-InteractionID': interactionId,
        Authorization: `Bearer ${unsignedJwt(claims)}`,
      },
      correlationId,
      ...(options.requestId ? { requestId: options.requestId } : {}),
      ...(options.idempotent ? { idempotent: true } : {}),
    });
  }

  const getRecord = async ({ nhsNumber, sections }: PatientSections): Promise<CareRecord | GraphQLError> => {
    try {
      const response = await call('structured', '/Patient/$gpc.getstructuredrecord', {
        method: 'POST',
        body: structuredRecordParameters(nhsNumber, sections),
        // $gpc.getstructuredrecord is a read sent as POST: safe to retry like a GET.
        idempotent: true,
      });
      if (response.status !== 200) return errorFrom(response);
      const bundle = parseStructuredBundle(response.body);
      if (!bundle.success) return upstreamInvalidResponse(SERVICE);
      return toCareRecord(bundle.data, sections, { retrievedAt: now() });
    } catch (error) {
      return error as GraphQLError;
    }
  };

  // The practice's logical id for a patient (Patient search by NHS number), once per request.
  const patientIds = new Map<string, Promise<string | null>>();
  const patientId = (nhsNumber: string) => {
    let found = patientIds.get(nhsNumber);
    if (found === undefined) {
      found = (async () => {
        const query = new URLSearchParams({ identifier: `https://fhir.nhs.uk/Id/nhs-number|${nhsNumber}` });
        const response = await call('searchPatient', '/Patient', { query });
        const bundle = response.status === 200 ? parseSearchBundle(response.body) : null;
        if (bundle === null) throw errorFrom(response);
        if (!bundle.success) throw upstreamInvalidResponse(SERVICE);
        const id = patientIdFrom(bundle.data, nhsNumber);
        if (id instanceof Error) throw upstreamInvalidResponse(SERVICE);
        return id;
      })();
      patientIds.set(nhsNumber, found);
    }
    return found;
  };

  async function registeredPatient(nhsNumber: string): Promise<string> {
    const id = await auditedRead(nhsNumber, ['Patient'], () => patientId(nhsNumber));
    if (id === null)
      throw graphError(ErrorCode.NOT_FOUND, 'The GP practice holds no record for this patient.', {
        service: SERVICE,
      });
    return id;
  }

  /** A read recorded in the audit trail before its result is used. */
  async function auditedRead<T>(nhsNumber: string | null, resourceTypes: string[], read: () => Promise<T>) {
    let result: T;
    try {
      result = await read();
    } catch (error) {
      await audit.recordAccess(SERVICE, [failedRead(nhsNumber, resourceTypes, error)]);
      throw error;
    }
    await audit.recordAccess(SERVICE, [
      { nhsNumber, resourceTypes, outcome: result === null ? 'not-found' : 'read' },
    ]);
    return result;
  }

  return {
    async getRecords(patients) {
      const results = await mapWithConcurrency(patients, GPCONNECT_PATIENT_CONCURRENCY, getRecord);
      const reads = results.map((result, i) => recordRead(patients[i]!, result));
      return servedIfAudited(audit, SERVICE, reads, results);
    },

    searchFreeSlots(range) {
      return auditedRead(null, ['Slot'], async () => {
        const query = new URLSearchParams([
          ['start', `ge${range.from}`],
          ['end', `le${range.to}`],
          ['status', 'free'],
          ['_include', 'Slot:schedule'],
          ['_include:recurse', 'Schedule:actor:Practitioner'],
          ['_include:recurse', 'Schedule:actor:Location'],
          [
            'searchFilter',
            `https://fhir.nhs.uk/Id/ods-organization-code|${settings.consumer.consumerOrganisation.odsCode}`,
          ],
        ]);
        const response = await call('searchSlots', '/Slot', { query });
        if (response.status !== 200) throw errorFrom(response);
        const bundle = parseSearchBundle(response.body);
        const slots = bundle.success ? toFreeSlots(bundle.data, { retrievedAt: now() }) : undefined;
        if (slots === undefined || slots instanceof Error) throw upstreamInvalidResponse(SERVICE);
        return slots;
      });
    },

    async getAppointments(nhsNumber, range) {
      const id = await auditedRead(nhsNumber, ['Patient'], () => patientId(nhsNumber));
      if (id === null) return [];
      return auditedRead(nhsNumber, ['Appointment'], async () => {
        const query = new URLSearchParams([
          ['start', `ge${range.from}`],
          ['start', `le${range.to}`],
        ]);
        const response = await call('patientAppointments', upstreamPath`/Patient/${id}/Appointment`, {
          query,
        });
        if (response.status !== 200) throw errorFrom(response);
        const bundle = parseSearchBundle(response.body);
        const appointments = bundle.success ? appointmentsOf(bundle.data) : undefined;
        if (appointments === undefined || appointments instanceof Error)
          throw upstreamInvalidResponse(SERVICE);
        const retrievedAt = now();
        return appointments.map((appointment) => toAppointment(appointment, nhsNumber, { retrievedAt }));
      });
    },

    bookAppointment(request, idempotencyKey) {
      return keyedWrite(
        writeScope,
        { operation: 'bookAppointment', key: idempotencyKey, input: request },
        async (requestId) => {
          const id = await registeredPatient(request.nhsNumber);
          return auditedWrite(
            SERVICE,
            audit,
            { nhsNumber: request.nhsNumber, resourceTypes: ['Appointment'] },
            requestId,
            async () => {
              const body = bookingAppointment(request, id, settings.consumer.consumerOrganisation, now());
              // Not retried: GP Connect documents no de-duplication of bookings. A client's repeat
              // after an ambiguous failure (the key is released, platform/idempotency.ts) cannot book
              // twice either: the slot is taken (409 DUPLICATE_REJECTED). If this patient holds that
              // slot, the earlier attempt did book, and that booking is the answer.
              const response = await call('book', '/Appointment', { method: 'POST', body, requestId });
              if (response.status === 201 || response.status === 200)
                return appointmentFrom(response, request.nhsNumber);
              const error = errorFrom(response);
              const booked =
                response.status === 409
                  ? await auditedRead(request.nhsNumber, ['Appointment'], () => bookingOf(id, request))
                  : null;
              if (booked === null) throw error;
              return booked;
            },
          );
        },
      );
    },

    cancelAppointment(request, idempotencyKey) {
      return keyedWrite(
        writeScope,
        { operation: 'cancelAppointment', key: idempotencyKey, input: request },
        async (requestId) => {
          const id = await registeredPatient(request.nhsNumber);
          const path = upstreamPath`/Appointment/${request.appointmentId}`;
          const current = await auditedRead(request.nhsNumber, ['Appointment'], async () => {
            const response = await call('readAppointment', path);
            if (response.status !== 200) throw errorFrom(response);
            const parsed = parseAppointment(response.body);
            if (!parsed.success) throw upstreamInvalidResponse(SERVICE);
            return { raw: response.body as Record<string, unknown>, appointment: parsed.data };
          });
          // CLINICAL SAFETY: never cancel someone else's appointment by a mistyped id.
          const forPatient = current.appointment.participant.some(
            (p) => p.actor?.reference === `Patient/${id}`,
          );
          if (!forPatient)
            throw graphError(ErrorCode.NOT_FOUND, 'This patient has no appointment with this id.', {
              service: SERVICE,
            });
          if (current.appointment.status === 'cancelled')
            return toAppointment(current.appointment, request.nhsNumber, { retrievedAt: now() });
          return auditedWrite(
            SERVICE,
            audit,
            { nhsNumber: request.nhsNumber, resourceTypes: ['Appointment'] },
            requestId,
            async () => {
              const body = cancellationAppointment(current.raw, request.reason);
              const response = await call('cancel', path, { method: 'PUT', body, requestId });
              if (response.status !== 200) throw errorFrom(response);
              return appointmentFrom(response, request.nhsNumber);
            },
          );
        },
      );
    },
  };

  /** The patient's booked appointment in the request's slot, if they hold one. */
  async function bookingOf(patientId: string, request: BookAppointmentRequest): Promise<Appointment | null> {
    const day = request.slot.start.slice(0, 10);
    const query = new URLSearchParams([
      ['start', `ge${day}`],
      ['start', `le${day}`],
    ]);
    const response = await call('patientAppointments', upstreamPath`/Patient/${patientId}/Appointment`, {
      query,
    });
    const bundle = response.status === 200 ? parseSearchBundle(response.body) : null;
    const appointments = bundle?.success ? appointmentsOf(bundle.data) : null;
    if (appointments === null || appointments instanceof Error) return null;
    const mine = appointments.find(
      (a) =>
        a.status === 'booked' && (a.slot ?? []).some((s) => s.reference === `Slot/${request.slot.slotId}`),
    );
    return mine ? toAppointment(mine, request.nhsNumber, { retrievedAt: now() }) : null;
  }

  function appointmentFrom(response: UpstreamResponse, nhsNumber: string): Appointment {
    const parsed = parseAppointment(response.body);
    if (!parsed.success) throw upstreamInvalidResponse(SERVICE);
    return toAppointment(parsed.data, nhsNumber, { retrievedAt: now() });
  }
}

/** The GP Connect audit token: an unsecured JWT (`alg: none`, empty signature, trailing dot). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

function recordRead(patient: PatientSections, result: CareRecord | GraphQLError): UpstreamRead {
  const resourceTypes = [...new Set(patient.sections.flatMap((s) => SECTION_RESOURCES[s.section]))];
  if (!(result instanceof Error)) return { nhsNumber: patient.nhsNumber, resourceTypes, outcome: 'read' };
  return failedRead(patient.nhsNumber, resourceTypes, result);
}

const errorFrom = upstreamErrorMapper(parseOperationOutcome, toUpstreamError);
