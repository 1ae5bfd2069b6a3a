// The canonical medicines a source returns: FHIR-free, shaped for the graph.
import type { Concept, Provenance } from '../../platform/canonical.js';

export type MedicineKind = 'VTM' | 'VMP' | 'AMP' | 'VMPP' | 'AMPP';
export const MEDICINE_KINDS: readonly MedicineKind[] = ['VTM', 'VMP', 'AMP', 'VMPP', 'AMPP'];

export interface MedicineQuantity {
  value: number;
  unit: Concept | null;
}

export interface MedicineStrength {
  numerator: MedicineQuantity;
  denominator: MedicineQuantity | null;
  text: string;
}

export interface MedicineIngredient {
  substance: Concept;
  basisOfStrength: Concept | null;
  basisSubstance: Concept | null;
  strength: MedicineStrength | null;
}

/** dm+d codes of the concepts a medicine links to; resolved through the loader when asked for. */
export interface MedicineLinks {
  /** A VMP's VTM. */
  vtm: string | null;
  /** An AMP's or VMPP's VMP. */
  vmp: string | null;
  /** An AMPP's AMP. */
  amp: string | null;
  /** An AMPP's VMPP. */
  vmpp: string | null;
  /** One level down (VTM -> VMPs, VMP -> AMPs and VMPPs, AMP or VMPP -> AMPPs). */
  children: string[];
}

/**
 * One dm+d concept as dm+d records it at its own level. Attributes dm+d keeps on another level
 * (an AMP's form is its VMP's) are read from there by the resolvers, through `links`.
 */
export interface MedicineRecord {
  code: string;
  kind: MedicineKind;
  name: string;
  description: string | null;
  concept: Concept;
  invalid: boolean;
  /** VMP only (VPI). */
  ingredients: MedicineIngredient[];
  /** VMP only. */
  form: Concept | null;
  /** VMP only. */
  routes: Concept[];
  /** AMP only. */
  licensedRoutes: Concept[];
  /** AMP only. */
  supplier: Concept | null;
  /** VMP only. */
  controlledDrug: Concept | null;
  /** AMP availability restriction, or VMP non-availability. */
  availability: Concept | null;
  /** VMP only. */
  prescribingStatus: Concept | null;
  /** AMPP only. */
  legalCategory: Concept | null;
  /** AMP only. */
  excipients: Concept[];
  links: MedicineLinks;
  release: string | null;
  provenance: Provenance;
}

export interface MedicineSearchCriteria {
  name: string;
  kind?: MedicineKind | null;
  first?: number | null;
}
