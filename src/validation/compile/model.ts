/**
 * The compiled form of a StructureDefinition: a tree of element nodes with everything a check needs
 * precomputed, so that validating an instance never re-reads a snapshot.
 */
import type { RuleRef } from '../issue';

export interface TypeRef {
  /** FHIR type code (`string`, `CodeableConcept`, `Observation`, ...); FHIRPath system types are mapped to FHIR ones. */
  code: string;
  profiles: string[];
  targetProfiles: string[];
  /** Whether the type is a resource (set on first use by the walker). */
  isResource?: boolean;
  /** Whether the type is a FHIR primitive (set by the compiler, or on first use by the walker). */
  isPrimitive?: boolean;
  /** The base definition's root of the type, null when unknown (set on first use by the walker). */
  root?: ElementNode | null;
  /** Where the children of a value of this type are described when its element has none (set on first use). */
  source?: ElementNode | null;
}

export interface Discriminator {
  type: 'value' | 'pattern' | 'type' | 'profile' | 'exists';
  path: string;
}

export interface SlicingInfo {
  discriminators: Discriminator[];
  rules: 'open' | 'closed' | 'openAtEnd';
  ordered: boolean;
}

export type InvariantFn = (node: unknown, env: Record<string, unknown>) => unknown[];

export interface CompiledInvariant {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
  /** Lazily compiled FHIRPath; undefined when the expression cannot be compiled (reported once). */
  fn?: InvariantFn | null;
  /** The native form (compile/fhirpath-native.ts), null when the expression is outside its subset. */
  native?: ((value: unknown) => unknown[]) | null;
  /** Where the constraint is defined (the SD url). */
  source: string;
  /** Set when the constraint is added by a profile (not inherited from the base spec) or its key is a rule. */
  rule?: RuleRef;
  tagged: boolean;
}

export interface ChildEntry {
  node: ElementNode;
  type: TypeRef;
  /** '.' and the JSON property name: a value's path is then one concatenation (this runs for every property). */
  dotName: string;
}

export interface ElementNode {
  id: string;
  path: string;
  /** JSON name without `[x]`. */
  name: string;
  choice: boolean;
  min: number;
  max: number;
  /** Whether the element repeats in JSON (from the base definition's max). */
  isArray: boolean;
  /** Cardinality is narrower than the element's base definition (a profile constraint). */
  cardNarrowed: boolean;
  types: TypeRef[];
  children: ElementNode[];
  childMap?: Map<string, ChildEntry>;
  mustCheck?: ElementNode[];
  slicing?: SlicingInfo;
  slices: ElementNode[];
  sliceName?: string;
  fixed?: unknown;
  pattern?: unknown;
  binding?: { strength: string; valueSet?: string; tagged: boolean };
  invariants: CompiledInvariant[];
  /** The invariants evaluated per value (those not checked natively by the walker), computed on first use. */
  evaluated?: CompiledInvariant[];
  contentReference?: string;
  isModifier?: boolean;
  /** Nearest rule (this element or its closest ancestor in the same profile). */
  rule?: RuleRef;
  profile: CompiledProfile;
}

export interface CompiledProfile {
  url: string;
  name: string;
  /** The resource or datatype the profile constrains. */
  type: string;
  kind: string;
  /** true for derivation=constraint (a profile) as opposed to a base definition. */
  isConstraint: boolean;
  root: ElementNode;
  /** contentReference lookup by element id/path. */
  byId: Map<string, ElementNode>;
  /** Extension definitions: the contexts in which they may be used. */
  contexts?: { type: string; expression: string }[];
}
