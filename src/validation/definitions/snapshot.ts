import type { StructureDefinition } from 'fhir/r4';
import type { CanonicalIndex } from './canonical-index';

/** Placeholder: replaced by the real generator in the next commit. */
export function generateMissingSnapshots(_index: CanonicalIndex<StructureDefinition>): void {}
