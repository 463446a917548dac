/** Typed result of parsing an HGVS variant description (https://hgvs-nomenclature.org). */

export type AccessionKind = 'refseq' | 'ensembl' | 'lrg';

export interface Accession {
  /** As written, e.g. `NC_000017.11`, `ENST00000357654.9`. */
  id: string;
  kind: AccessionKind;
  /** `NC`, `NM`, `NR`, `NP`, `NG`, `ENST`, `ENSP`, `LRG` ... */
  prefix: string;
  /** Without the version, e.g. `NC_000017`. */
  stem: string;
  version: number | null;
}

/** Coordinate types of the nucleotide and protein levels that HGVS defines. */
export type NucleotideCoordinate = 'g' | 'c' | 'n' | 'm' | 'o';
export type CoordinateType = NucleotideCoordinate | 'p';

/**
 * One nucleotide position. `base` null means `?` (unknown). `anchor` says what the number counts
 * from in c. descriptions: `-10` is 5' of the start codon, `*5` 3' of the stop codon.
 */
export interface PointPosition {
  kind: 'point';
  base: number | null;
  anchor: 'none' | 'upstream' | 'downstream';
  /** Intronic offset (`68-2` → -2, `68+1` → 1); null when the offset is `?` (`68+?`). */
  offset: number;
  offsetUnknown: boolean;
}

/** `(123_125)`: the position lies somewhere in this range. */
export interface UncertainPosition {
  kind: 'uncertain';
  from: PointPosition;
  to: PointPosition;
}

export type NucleotidePosition = PointPosition | UncertainPosition;

export interface NucleotideLocation {
  start: NucleotidePosition;
  /** Absent for a single position (`g.123A>G`). */
  end?: NucleotidePosition;
}

export type RepeatCount = { kind: 'exact'; value: number } | { kind: 'range'; min: number | null; max: number | null } | { kind: 'unknown' };

export type Insertion =
  | { kind: 'sequence'; sequence: string }
  | { kind: 'count'; count: RepeatCount } // ins(10), insN[10]
  | { kind: 'location'; location: NucleotideLocation; accession?: Accession; inverted: boolean };

export type NucleotideChange =
  | { kind: 'substitution'; ref: string; alt: string }
  | { kind: 'deletion'; deleted?: string }
  | { kind: 'duplication'; duplicated?: string }
  | { kind: 'insertion'; inserted: Insertion }
  | { kind: 'deletionInsertion'; deleted?: string; inserted: Insertion }
  | { kind: 'inversion' }
  | { kind: 'repeat'; units: { sequence: string; count: RepeatCount }[] }
  | { kind: 'identity'; sequence?: string }
  | { kind: 'unknown' };

export type NucleotideChangeKind = NucleotideChange['kind'];

export interface NucleotideVariant {
  level: 'nucleotide';
  text: string;
  accession: Accession;
  /** `NC_000023.11(NM_004006.2):c.` names the transcript inside the genomic reference. */
  innerAccession?: Accession;
  coordinate: NucleotideCoordinate;
  /** `g.(123A>G)`: predicted consequence rather than observed. */
  predicted: boolean;
  /** Absent only for `g.?`/`c.?` (unknown change) and `g.=` (no change). */
  location?: NucleotideLocation;
  change: NucleotideChange;
}

export type AminoAcidCodeStyle = 'three' | 'one' | 'none';

export interface AminoAcidPosition {
  /** Amino acid in 3-letter form (`Ter` for stop), normalised from whatever was written. */
  aminoAcid: string;
  position: number;
}

export type ProteinChange =
  | { kind: 'substitution'; alt: string }
  | { kind: 'nonsense' }
  | { kind: 'silent' }
  | { kind: 'unknownConsequence' }
  | { kind: 'deletion' }
  | { kind: 'duplication' }
  | { kind: 'insertion'; inserted: string[] | { count: RepeatCount } }
  | { kind: 'deletionInsertion'; inserted: string[] }
  | { kind: 'frameshift'; alt?: string; newStopAt?: number | null }
  | { kind: 'extension'; alt?: string; newStart?: number; newStopAt?: number | null }
  | { kind: 'repeat'; count: RepeatCount }
  | { kind: 'identity' }
  | { kind: 'unknown' }
  | { kind: 'noProtein' };

export interface ProteinVariant {
  level: 'protein';
  text: string;
  accession: Accession;
  coordinate: 'p';
  predicted: boolean;
  start?: AminoAcidPosition;
  end?: AminoAcidPosition;
  change: ProteinChange;
  /** Whether amino acids were written with 3-letter or 1-letter codes (`none`: only `*`, `=`, `?`). */
  aminoAcidCodes: AminoAcidCodeStyle;
}

export type HgvsVariant = NucleotideVariant | ProteinVariant;

export type HgvsParseResult = { ok: true; value: HgvsVariant } | { ok: false; error: string; offset: number };
