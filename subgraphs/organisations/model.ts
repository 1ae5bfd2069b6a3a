// The canonical organisations a source returns: FHIR-free, shaped for the graph.
import type { Concept, Period, Provenance } from '../../platform/canonical.js';

export interface OrganisationAddress {
  lines: string[];
  city: string | null;
  district: string | null;
  postcode: string | null;
  country: string | null;
}

export interface OrganisationRole {
  code: string;
  display: string | null;
  concept: Concept;
  primary: boolean;
  active: boolean;
  /** Legal period (ODS Extension-England-TypedPeriod dateType Legal). */
  period: Period | null;
  /** Operational period (dateType Operational). */
  operationalPeriod: Period | null;
}

export interface OrganisationContactPoint {
  system: string;
  value: string;
}

export interface OrganisationRecord {
  odsCode: string;
  name: string;
  active: boolean;
  address: OrganisationAddress | null;
  roles: OrganisationRole[];
  contact: OrganisationContactPoint[];
  lastChangeDate: string | null;
  provenance: Provenance;
}

export interface OrganisationRelationship {
  code: string;
  display: string | null;
  concept: Concept;
  /** The related (ODS "target", FHIR participatingOrganization) organisation's code. */
  targetOdsCode: string;
  active: boolean;
  period: Period | null;
  operationalPeriod: Period | null;
}

export interface OrganisationSearchCriteria {
  name?: string | null;
  postcode?: string | null;
  role?: string | null;
  limit?: number | null;
}
