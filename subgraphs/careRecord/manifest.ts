// The careRecord subgraph (GP Connect Access Record: Structured and Appointment Management, FHIR
// STU3), declared once: the registry, codegen, configuration and the stack launcher read it
// (platform/manifest.ts). Clinical data is never cached: it declares no cache tier.
import { z } from 'zod';
import { defineSubgraph } from '../../platform/manifest.js';

/** A Spine accredited system id (ASID): digits. */
const asid = z.string().regex(/^\d{1,12}$/, 'must be a Spine ASID (up to 12 digits)');
const odsCode = z.string().regex(/^[A-Z0-9]{2,10}$/, 'must be an ODS code (capitals and digits)');

/** nhs-graph's identity as a GP Connect consumer, and the provider it calls. */
export interface GpConnectConsumerConfig {
  consumerAsid: string;
  providerAsid: string;
  providerOdsCode: string;
  consumerOrganisation: { odsCode: string; name: string; phone: string };
}

export const careRecord = defineSubgraph({
  name: 'careRecord',
  port: 4104,
  description: "A patient's GP record and appointments (GP Connect, through the Spine Secure Proxy).",
  schemaFile: new URL('./schema.graphql', import.meta.url),
  upstreams: {
    gpconnect: {
      label: 'GP Connect',
      variablePrefix: 'GPCONNECT',
      baseUrlDescription:
        'GP Connect provider host as reached through the Spine Secure Proxy; the FHIR service roots /<ods>/STU3/1/gpconnect/structured/fhir and /<ods>/STU3/1/gpconnect/fhir go below it',
      sandboxPath: '/gpconnect',
      timeoutMs: 10_000,
      maxConcurrency: 10,
      retries: true,
      access: 'spine-secure-proxy',
    },
  },
  cacheTiers: [],
  keyedWrites: true,
  // GP Connect consumer identity. Defaults suit the sandbox: the ASIDs of the Ssp-From/Ssp-To
  // example in the GP Connect specification, and the GP Connect reference implementation's
  // practice B82617 as the one provider every call goes to.
  settings: {
    variables: {
      GPCONNECT_CONSUMER_ASID: asid
        .default('200000000115')
        .describe("nhs-graph's Spine ASID, sent as Ssp-From."),
      GPCONNECT_PROVIDER_ASID: asid
        .default('200000000116')
        .describe("The provider system's Spine ASID, sent as Ssp-To."),
      GPCONNECT_PROVIDER_ODS_CODE: odsCode
        .default('B82617')
        .describe(
          'ODS code of the provider practice whose FHIR service roots every call goes to (no SDS lookup).',
        ),
      GPCONNECT_CONSUMER_ODS_CODE: odsCode
        .default('X26')
        .describe(
          "nhs-graph's organisation: the audit JWT's requesting_organization for callers without one (staff send their own), and the booking organisation on appointments.",
        ),
      GPCONNECT_CONSUMER_NAME: z
        .string()
        .min(1)
        .default('nhs-graph')
        .describe("The booking organisation's name, when the caller has none."),
      GPCONNECT_CONSUMER_PHONE: z
        .string()
        .min(1)
        .default('0300 303 5678')
        .describe("The booking organisation's telephone, which GP Connect requires on a booking."),
    },
    read: (values): GpConnectConsumerConfig => ({
      consumerAsid: values.GPCONNECT_CONSUMER_ASID,
      providerAsid: values.GPCONNECT_PROVIDER_ASID,
      providerOdsCode: values.GPCONNECT_PROVIDER_ODS_CODE,
      consumerOrganisation: {
        odsCode: values.GPCONNECT_CONSUMER_ODS_CODE,
        name: values.GPCONNECT_CONSUMER_NAME,
        phone: values.GPCONNECT_CONSUMER_PHONE,
      },
    }),
  },
  codegen: {
    mappers: {
      Patient: '../model.js#CareRecordPatient',
      Allergies: '../model.js#Allergies',
      AllergyList: '../model.js#AllergyList',
      Allergy: '../model.js#Allergy',
      MedicationList: '../model.js#MedicationList',
      Medication: '../model.js#Medication',
      ProblemList: '../model.js#ProblemList',
      ImmunisationList: '../model.js#ImmunisationList',
      FreeSlot: '../model.js#FreeSlot',
      Appointment: '../model.js#Appointment',
    },
    contextType: '../loaders.js#CareRecordContext',
  },
  build: async ({ config, upstreams, idempotency }) => {
    const { createCareRecordSubgraph } = await import('./server.js');
    return {
      definition: createCareRecordSubgraph(
        upstreams.gpconnect,
        { baseUrl: config.upstreams.gpconnect.baseUrl, consumer: config.settings },
        idempotency ?? undefined,
      ),
    };
  },
});
