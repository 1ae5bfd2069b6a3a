// Every patient the PDS stand-in serves: the real fixtures plus the synthetic volume.
import type { SyntheticPerson } from '../synthetic.js';
import { loadFixturePatients, type FhirPatient } from './fixtures.js';
import { isRestricted, redactRestricted, toFhirPatient } from './patient-resource.js';

export interface StoredPatient {
  /** What GET /Patient/{id} answers (restricted records already redacted). */
  served: FhirPatient;
  /**
   * What PDS matches searches against. For synthetic restricted patients PDS still holds the
   * address and telecom; it matches on them but never returns them (patient-search.yaml).
   */
  matchable: FhirPatient;
  restricted: boolean;
}

export class PatientStore {
  private readonly patients = new Map<string, StoredPatient>();
  private readonly originals = new Map<string, StoredPatient>();

  constructor(people: readonly SyntheticPerson[]) {
    for (const [id, patient] of loadFixturePatients()) {
      this.patients.set(id, { served: patient, matchable: patient, restricted: isRestricted(patient) });
    }
    for (const person of people) {
      // Fixtures win: a synthetic number never shadows a published record.
      if (this.patients.has(person.nhsNumber)) continue;
      const full = toFhirPatient(person);
      const served = person.restricted ? redactRestricted(full) : full;
      this.patients.set(person.nhsNumber, { served, matchable: full, restricted: person.restricted });
    }
  }

  get(id: string): StoredPatient | undefined {
    return this.patients.get(id);
  }

  /** Stores an updated record (PATCH); `restore` undoes every update. */
  update(id: string, served: FhirPatient): void {
    const stored = this.patients.get(id);
    if (stored === undefined) return;
    if (!this.originals.has(id)) this.originals.set(id, stored);
    this.patients.set(id, { ...stored, served, matchable: served });
  }

  /** Back to the records as loaded (the sandbox's reset). */
  restore(): void {
    for (const [id, original] of this.originals) this.patients.set(id, original);
    this.originals.clear();
  }

  all(): IterableIterator<StoredPatient> {
    return this.patients.values();
  }

  get size(): number {
    return this.patients.size;
  }
}
