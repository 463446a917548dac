/**
 * Recursive-descent parser for the HGVS variant descriptions the NGC standard lists (VAR-08):
 * substitution, deletion, duplication, insertion, deletion-insertion, inversion and repeated
 * sequence on g./c./n./m./o. references, with intronic offsets, UTR positions and uncertain
 * positions; p. descriptions in 3-letter or 1-letter amino acid codes.
 */
import type {
  Accession,
  AminoAcidCodeStyle,
  AminoAcidPosition,
  CoordinateType,
  HgvsParseResult,
  Insertion,
  NucleotideChange,
  NucleotideCoordinate,
  NucleotideLocation,
  NucleotidePosition,
  NucleotideVariant,
  PointPosition,
  ProteinChange,
  ProteinVariant,
  RepeatCount,
} from './ast';

class HgvsSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const THREE_LETTER: ReadonlySet<string> = new Set([
  'Ala', 'Arg', 'Asn', 'Asp', 'Cys', 'Gln', 'Glu', 'Gly', 'His', 'Ile', 'Leu', 'Lys', 'Met', 'Phe', 'Pro',
  'Ser', 'Thr', 'Trp', 'Tyr', 'Val', 'Sec', 'Pyl', 'Ter', 'Xaa',
]);
const ONE_TO_THREE: Readonly<Record<string, string>> = {
  A: 'Ala', R: 'Arg', N: 'Asn', D: 'Asp', C: 'Cys', Q: 'Gln', E: 'Glu', G: 'Gly', H: 'His', I: 'Ile', L: 'Leu',
  K: 'Lys', M: 'Met', F: 'Phe', P: 'Pro', S: 'Ser', T: 'Thr', W: 'Trp', Y: 'Tyr', V: 'Val', U: 'Sec', O: 'Pyl',
  X: 'Xaa',
};
/** IUPAC nucleotide codes HGVS allows in DNA sequences. */
const DNA_BASES = /^[ACGTURYSWKMBDHVN]+$/;

/** Which reference sequence types each coordinate type may be described on. */
const ALLOWED_PREFIXES: Readonly<Record<CoordinateType, readonly string[]>> = {
  g: ['NC', 'NG', 'NT', 'NW', 'LRG'],
  m: ['NC'],
  o: ['NC'],
  c: ['NM', 'XM', 'ENST', 'LRG'],
  n: ['NR', 'XR', 'ENST', 'NM', 'LRG'],
  p: ['NP', 'XP', 'ENSP', 'LRG'],
};

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  peek(n = 0): string {
    return this.text.charAt(this.pos + n);
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }
  expect(s: string, what?: string): void {
    if (!this.eat(s)) this.fail(`expected ${what ?? `'${s}'`}`);
  }
  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  fail(message: string, at = this.pos): never {
    const found = at < this.text.length ? `'${this.text.slice(at, at + 8)}'` : 'end of text';
    throw new HgvsSyntaxError(`${message} at offset ${at} (found ${found})`, at);
  }
  /** A run of characters matching the class; '' when none. */
  takeWhile(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.text.length && re.test(this.text.charAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }
  integer(what = 'a position number'): number {
    const at = this.pos;
    const digits = this.takeWhile(/[0-9]/);
    if (!digits) this.fail(`expected ${what}`);
    if (digits.length > 1 && digits.startsWith('0')) this.fail('numbers must not have leading zeros', at);
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) this.fail('number too large', at);
    return n;
  }
}

function parseAccession(c: Cursor): Accession {
  const at = c.pos;
  const refseq = /^(N[CGTWMRP]|X[MRP])_([0-9]+)(?:\.([0-9]+))?/.exec(c.text.slice(c.pos));
  if (refseq) {
    c.pos += refseq[0].length;
    return accession(refseq[0], 'refseq', refseq[1], `${refseq[1]}_${refseq[2]}`, refseq[3]);
  }
  const ensembl = /^(ENS[TPG])([0-9]{11})(?:\.([0-9]+))?/.exec(c.text.slice(c.pos));
  if (ensembl) {
    c.pos += ensembl[0].length;
    return accession(ensembl[0], 'ensembl', ensembl[1], `${ensembl[1]}${ensembl[2]}`, ensembl[3]);
  }
  const lrg = /^LRG_[0-9]+(?:[tp][0-9]+)?/.exec(c.text.slice(c.pos));
  if (lrg) {
    c.pos += lrg[0].length;
    return { id: lrg[0], kind: 'lrg', prefix: 'LRG', stem: lrg[0], version: null };
  }
  return c.fail('expected a reference sequence accession (NC_, NG_, NM_, NR_, NP_, ENST, ENSP, LRG_)', at);
}

function accession(id: string, kind: 'refseq' | 'ensembl', prefix: string, stem: string, version: string | undefined): Accession {
  return { id, kind, prefix, stem, version: version === undefined ? null : Number(version) };
}

// ---------------------------------------------------------------- nucleotide level

function parsePoint(c: Cursor, coordinate: NucleotideCoordinate): PointPosition {
  const transcript = coordinate === 'c' || coordinate === 'n';
  if (c.eat('?')) return { kind: 'point', base: null, anchor: 'none', offset: 0, offsetUnknown: false };
  let anchor: PointPosition['anchor'] = 'none';
  if (c.peek() === '-' || c.peek() === '*') {
    if (coordinate !== 'c') c.fail(`'${c.peek()}' positions exist only in c. descriptions`);
    anchor = c.peek() === '-' ? 'upstream' : 'downstream';
    c.pos++;
  }
  const base = c.integer();
  if (base === 0) c.fail('position 0 does not exist in HGVS numbering', c.pos - 1);
  let offset = 0;
  let offsetUnknown = false;
  if (c.peek() === '+' || c.peek() === '-') {
    if (!transcript) c.fail('intronic offsets exist only in c. and n. descriptions');
    const sign = c.peek() === '+' ? 1 : -1;
    c.pos++;
    if (c.eat('?')) offsetUnknown = true;
    else {
      const n = c.integer('an intronic offset');
      if (n === 0) c.fail('an intronic offset cannot be 0', c.pos - 1);
      offset = sign * n;
    }
  }
  return { kind: 'point', base, anchor, offset, offsetUnknown };
}

function parsePosition(c: Cursor, coordinate: NucleotideCoordinate): NucleotidePosition {
  if (c.peek() === '(' && /^\([-*0-9?]/.test(c.text.slice(c.pos))) {
    const open = c.pos;
    c.pos++;
    const from = parsePoint(c, coordinate);
    if (!c.eat('_')) {
      // `(123)` is not a range: let the caller see the parenthesis instead.
      c.pos = open;
      return c.fail('expected an uncertain range such as (123_125)');
    }
    const to = parsePoint(c, coordinate);
    c.expect(')');
    if (from.base === null && to.base === null) c.fail('an uncertain position needs at least one known bound', open);
    if (comparePoints(from, to) >= 0) c.fail('the bounds of an uncertain position must be in ascending order', open);
    return { kind: 'uncertain', from, to };
  }
  return parsePoint(c, coordinate);
}

/** Orders two points when both are known, counting UTR and intronic offsets; 0 if not comparable. */
function comparePoints(a: PointPosition, b: PointPosition): number {
  if (a.base === null || b.base === null) return -1;
  const rank = (p: PointPosition) => (p.anchor === 'upstream' ? 0 : p.anchor === 'none' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const baseA = a.anchor === 'upstream' ? -a.base : a.base;
  const baseB = b.anchor === 'upstream' ? -b.base : b.base;
  if (baseA !== baseB) return baseA - baseB;
  if (a.offsetUnknown || b.offsetUnknown) return -1;
  return a.offset - b.offset;
}

function lastPoint(p: NucleotidePosition): PointPosition {
  return p.kind === 'point' ? p : p.to;
}
function firstPoint(p: NucleotidePosition): PointPosition {
  return p.kind === 'point' ? p : p.from;
}

function parseLocation(c: Cursor, coordinate: NucleotideCoordinate): NucleotideLocation {
  const at = c.pos;
  const start = parsePosition(c, coordinate);
  if (!c.eat('_')) return { start };
  const end = parsePosition(c, coordinate);
  const a = lastPoint(start);
  const b = firstPoint(end);
  if (a.base !== null && b.base !== null && comparePoints(a, b) >= 0) c.fail('a range must run from the lower to the higher position', at);
  return { start, end };
}

function parseBases(c: Cursor): string {
  return c.takeWhile(/[ACGTURYSWKMBDHVN]/);
}

function parseCount(c: Cursor): RepeatCount {
  if (c.eat('?')) return { kind: 'unknown' };
  if (c.eat('(')) {
    const min = c.eat('?') ? null : c.integer('a count');
    c.expect('_');
    const max = c.eat('?') ? null : c.integer('a count');
    c.expect(')');
    if (min !== null && max !== null && min >= max) c.fail('a count range must be ascending');
    return { kind: 'range', min, max };
  }
  return { kind: 'exact', value: c.integer('a count') };
}

function parseInserted(c: Cursor, coordinate: NucleotideCoordinate): Insertion {
  // Before the bases: `NC_...` would otherwise read as the bases N and C.
  if (/^(N[CGTWMR]|X[MR])_|^ENS|^LRG_/.test(c.text.slice(c.pos))) {
    const acc = parseAccession(c);
    c.expect(':');
    const coord = c.peek();
    if (coord !== 'g' && coord !== 'c' && coord !== 'n' && coord !== 'm' && coord !== 'o') c.fail('expected a coordinate type');
    c.pos++;
    c.expect('.');
    const location = parseLocation(c, coord as NucleotideCoordinate);
    const inverted = c.eat('inv');
    return { kind: 'location', location, accession: acc, inverted };
  }
  const bases = parseBases(c);
  if (bases) {
    if (bases === 'N' && c.eat('[')) {
      const count = parseCount(c);
      c.expect(']');
      return { kind: 'count', count };
    }
    return { kind: 'sequence', sequence: bases };
  }
  if (c.peek() === '(' && /^\([0-9?]+\)/.test(c.text.slice(c.pos))) {
    c.pos++;
    const count: RepeatCount = c.eat('?') ? { kind: 'unknown' } : { kind: 'exact', value: c.integer('a length') };
    c.expect(')');
    return { kind: 'count', count };
  }
  if (/^[0-9?*-]/.test(c.peek()) || c.peek() === '(') {
    const location = parseLocation(c, coordinate);
    const inverted = c.eat('inv');
    return { kind: 'location', location, inverted };
  }
  return c.fail('expected the inserted sequence');
}

/** Length of a location when both ends are plain numbers on the same axis; null otherwise. */
function simpleLength(loc: NucleotideLocation): number | null {
  const a = loc.start;
  const b = loc.end ?? loc.start;
  if (a.kind !== 'point' || b.kind !== 'point') return null;
  if (a.base === null || b.base === null || a.offset !== 0 || b.offset !== 0 || a.offsetUnknown || b.offsetUnknown) return null;
  if (a.anchor !== b.anchor) return null;
  return a.anchor === 'upstream' ? a.base - b.base + 1 : b.base - a.base + 1;
}

function parseNucleotideChange(c: Cursor, coordinate: NucleotideCoordinate, location: NucleotideLocation): NucleotideChange {
  const changeAt = c.pos;
  const single = location.end === undefined;
  const length = simpleLength(location);
  const checkLength = (seq: string, what: string) => {
    if (length !== null && seq.length !== length) c.fail(`${what} sequence '${seq}' has ${seq.length} bases but the location spans ${length}`, changeAt);
  };

  if (c.eat('delins')) {
    const deleted = undefined;
    const inserted = parseInserted(c, coordinate);
    return { kind: 'deletionInsertion', deleted, inserted };
  }
  if (c.eat('del')) {
    const deleted = parseBases(c) || undefined;
    if (c.eat('ins')) {
      // `delAGinsT`: legacy form that still names the deleted bases.
      if (deleted) checkLength(deleted, 'deleted');
      return { kind: 'deletionInsertion', deleted, inserted: parseInserted(c, coordinate) };
    }
    if (deleted) checkLength(deleted, 'deleted');
    return { kind: 'deletion', deleted };
  }
  if (c.eat('dup')) {
    const duplicated = parseBases(c) || undefined;
    if (duplicated) checkLength(duplicated, 'duplicated');
    return { kind: 'duplication', duplicated };
  }
  if (c.eat('ins')) {
    if (single) c.fail('an insertion is described between two flanking positions (e.g. 123_124insA)', changeAt);
    const a = location.start;
    const b = location.end;
    if (length !== null && length !== 2 && a.kind === 'point' && b?.kind === 'point') {
      c.fail('the flanking positions of an insertion must be adjacent', changeAt);
    }
    return { kind: 'insertion', inserted: parseInserted(c, coordinate) };
  }
  if (c.eat('inv')) {
    if (single) c.fail('an inversion spans at least two positions', changeAt);
    parseBases(c);
    return { kind: 'inversion' };
  }
  if (c.eat('=')) return { kind: 'identity' };
  if (c.eat('?')) return { kind: 'unknown' };

  const bases = parseBases(c);
  if (!bases) return c.fail('expected a change (>, del, dup, ins, delins, inv, [n] or =)');
  if (c.eat('>')) {
    if (!single) c.fail('a substitution changes exactly one position', changeAt);
    const alt = parseBases(c);
    if (bases.length !== 1 || alt.length !== 1) c.fail('a substitution replaces one base by one base (use delins for more)', changeAt);
    if (alt === bases) c.fail('the reference and alternate base of a substitution must differ (use = for no change)', changeAt);
    return { kind: 'substitution', ref: bases, alt };
  }
  if (c.eat('=')) {
    checkLength(bases, 'reference');
    return { kind: 'identity', sequence: bases };
  }
  if (c.peek() === '[') {
    const units: { sequence: string; count: RepeatCount }[] = [];
    let seq = bases;
    for (;;) {
      c.expect('[');
      units.push({ sequence: seq, count: parseCount(c) });
      c.expect(']');
      seq = parseBases(c);
      if (!seq) break;
      if (c.peek() !== '[') c.fail('expected [count] after a repeat unit');
    }
    return { kind: 'repeat', units };
  }
  return c.fail("expected '>' , '=' or '[count]' after the bases", c.pos);
}

function parseNucleotide(c: Cursor, text: string, acc: Accession, inner: Accession | undefined, coordinate: NucleotideCoordinate): NucleotideVariant {
  const base = { level: 'nucleotide' as const, text, accession: acc, innerAccession: inner, coordinate };
  if (c.eat('=')) return { ...base, predicted: false, change: { kind: 'identity' } };
  if (c.eat('?')) {
    if (c.atEnd()) return { ...base, predicted: false, change: { kind: 'unknown' } };
    c.pos--;
  }
  let predicted = false;
  const open = c.pos;
  if (c.peek() === '(') {
    // `g.(123A>G)` (predicted) versus `g.(123_125)_(130_132)del` (uncertain location): try the latter first.
    try {
      const location = parseLocation(c, coordinate);
      const change = parseNucleotideChange(c, coordinate, location);
      return { ...base, predicted: false, location, change };
    } catch (error) {
      if (!(error instanceof HgvsSyntaxError) || !c.text.endsWith(')')) throw error;
      c.pos = open + 1;
      predicted = true;
    }
  }
  const location = parseLocation(c, coordinate);
  const change = parseNucleotideChange(c, coordinate, location);
  if (predicted) c.expect(')');
  return { ...base, predicted, location, change };
}

// ---------------------------------------------------------------- protein level

class AminoAcids {
  style: AminoAcidCodeStyle = 'none';
  constructor(private readonly c: Cursor) {}

  private use(style: 'three' | 'one', at: number): void {
    if (this.style !== 'none' && this.style !== style) this.c.fail('mixes 1-letter and 3-letter amino acid codes', at);
    this.style = style;
  }

  /** One amino acid in either notation (`*` is Ter in both), as its 3-letter code; null if none here. */
  tryOne(): string | null {
    const c = this.c;
    const at = c.pos;
    if (c.eat('*')) return 'Ter';
    const three = c.text.slice(c.pos, c.pos + 3);
    if (THREE_LETTER.has(three)) {
      c.pos += 3;
      this.use('three', at);
      return three;
    }
    const one = c.peek();
    const rest = c.text.slice(c.pos + 1);
    // A lower-case letter after a 1-letter code is only allowed where a keyword follows (`Vfs`, `Qext`).
    if (ONE_TO_THREE[one] && (!/^[a-z]/.test(rest) || /^(fs|ext|del|dup|ins)/.test(rest))) {
      c.pos += 1;
      this.use('one', at);
      return ONE_TO_THREE[one];
    }
    return null;
  }

  one(): string {
    const aa = this.tryOne();
    if (aa === null) this.c.fail('expected an amino acid');
    return aa;
  }

  many(): string[] {
    const out: string[] = [];
    for (let aa = this.tryOne(); aa !== null; aa = this.tryOne()) out.push(aa);
    return out;
  }
}

function parseAaPosition(c: Cursor, aas: AminoAcids): AminoAcidPosition {
  const aminoAcid = aas.one();
  const position = c.integer();
  if (position === 0) c.fail('amino acid positions start at 1', c.pos - 1);
  return { aminoAcid, position };
}

/** `Ter23`, `*23`, `Ter?`, `*?` after fs/ext: the position of the new stop codon. */
function parseNewStop(c: Cursor, aas: AminoAcids): number | null | undefined {
  const at = c.pos;
  const aa = aas.tryOne();
  if (aa === null) return undefined;
  if (aa !== 'Ter') c.fail('expected Ter or * before the new stop position', at);
  if (c.eat('?')) return null;
  return c.integer('the position of the new stop codon');
}

function parseProteinBody(c: Cursor, aas: AminoAcids): Pick<ProteinVariant, 'start' | 'end' | 'change'> {
  if (c.eat('=')) return { change: { kind: 'identity' } };
  if (c.eat('?')) return { change: { kind: 'unknown' } };
  if (c.eat('0')) return { change: { kind: 'noProtein' } };

  const start = parseAaPosition(c, aas);
  let end: AminoAcidPosition | undefined;
  if (c.eat('_')) {
    end = parseAaPosition(c, aas);
    if (end.position <= start.position) c.fail('a protein range must be ascending');
  }
  const changeAt = c.pos;
  let change: ProteinChange;
  if (c.eat('delins')) {
    const inserted = aas.many();
    if (!inserted.length) c.fail('expected the inserted amino acids');
    change = { kind: 'deletionInsertion', inserted };
  } else if (c.eat('del')) change = { kind: 'deletion' };
  else if (c.eat('dup')) change = { kind: 'duplication' };
  else if (c.eat('ins')) {
    if (!end) c.fail('an insertion is described between two flanking amino acids', changeAt);
    if (end.position !== start.position + 1) c.fail('the flanking amino acids of an insertion must be adjacent', changeAt);
    if (c.startsWith('(') || c.startsWith('X[')) {
      if (c.eat('X[')) {
        const count = parseCount(c);
        c.expect(']');
        change = { kind: 'insertion', inserted: { count } };
      } else {
        c.expect('(');
        const count: RepeatCount = { kind: 'exact', value: c.integer('a length') };
        c.expect(')');
        change = { kind: 'insertion', inserted: { count } };
      }
    } else {
      const inserted = aas.many();
      if (!inserted.length) c.fail('expected the inserted amino acids');
      change = { kind: 'insertion', inserted };
    }
  } else if (c.eat('=')) change = { kind: 'silent' };
  else if (c.eat('?')) change = { kind: 'unknownConsequence' };
  else if (c.eat('[')) {
    const count = parseCount(c);
    c.expect(']');
    change = { kind: 'repeat', count };
  } else if (c.eat('fs')) {
    if (end) c.fail('a frameshift starts at a single amino acid', changeAt);
    change = { kind: 'frameshift', newStopAt: parseNewStop(c, aas) };
  } else if (c.eat('ext')) {
    change = parseExtension(c, aas, start, undefined);
  } else {
    const alt = aas.tryOne();
    if (alt === null) return c.fail('expected a protein change (amino acid, del, dup, ins, delins, fs, ext, =, ?)');
    if (c.eat('fs')) {
      if (end) c.fail('a frameshift starts at a single amino acid', changeAt);
      change = { kind: 'frameshift', alt, newStopAt: parseNewStop(c, aas) };
    } else if (c.eat('ext')) {
      change = parseExtension(c, aas, start, alt);
    } else {
      if (end) c.fail('a substitution changes exactly one amino acid', changeAt);
      if (alt === start.aminoAcid) c.fail('the reference and new amino acid are the same (use = for a silent change)', changeAt);
      change = alt === 'Ter' ? { kind: 'nonsense' } : { kind: 'substitution', alt };
    }
  }
  return { start, end, change };
}

function parseExtension(c: Cursor, aas: AminoAcids, start: AminoAcidPosition, alt: string | undefined): ProteinChange {
  if (start.aminoAcid === 'Met' && c.eat('-')) {
    // N-terminal: `Met1ext-5` (new start 5 codons upstream)
    return { kind: 'extension', alt, newStart: -c.integer('the new start position') };
  }
  if (start.aminoAcid !== 'Ter') c.fail('an extension starts at Met1 (N-terminal) or at the stop codon (C-terminal)');
  const newStopAt = parseNewStop(c, aas);
  if (newStopAt === undefined) c.fail('expected the new stop (e.g. Ter17 or *?)');
  return { kind: 'extension', alt, newStopAt };
}

function parseProtein(c: Cursor, text: string, acc: Accession): ProteinVariant {
  const aas = new AminoAcids(c);
  let predicted = false;
  if (c.peek() === '(' && c.text.endsWith(')')) {
    predicted = true;
    c.pos++;
  }
  const body = parseProteinBody(c, aas);
  if (predicted) c.expect(')');
  return { level: 'protein', text, accession: acc, coordinate: 'p', predicted, ...body, aminoAcidCodes: aas.style };
}

// ---------------------------------------------------------------- entry point

/** Parses one HGVS variant description with its reference sequence (`NC_000017.11:g.43045712A>G`). */
export function parseHgvs(text: string): HgvsParseResult {
  const c = new Cursor(text);
  try {
    if (text !== text.trim() || /\s/.test(text)) c.fail('HGVS descriptions contain no white space', text.search(/\s/));
    const acc = parseAccession(c);
    if (acc.version === null && acc.kind !== 'lrg') c.fail('the reference sequence accession needs its version (e.g. NM_007294.4)', acc.id.length);
    let inner: Accession | undefined;
    if (c.eat('(')) {
      inner = parseAccession(c);
      if (inner.version === null && inner.kind !== 'lrg') c.fail('the transcript accession needs its version');
      c.expect(')');
    }
    c.expect(':', "':' after the accession");
    const coordAt = c.pos;
    const coordinate = c.peek() as CoordinateType;
    if (!['g', 'c', 'n', 'm', 'o', 'p'].includes(coordinate)) c.fail('expected a coordinate type (g., c., n., m., o. or p.)');
    c.pos++;
    c.expect('.', "'.' after the coordinate type");
    const named = inner ?? acc;
    if (!ALLOWED_PREFIXES[coordinate].includes(named.prefix)) {
      c.fail(`a ${coordinate}. description cannot be given on ${named.prefix} reference sequence ${named.id}`, coordAt);
    }
    if (coordinate === 'm' && acc.stem !== 'NC_012920') c.fail('m. descriptions are on the mitochondrial genome NC_012920', coordAt);
    const value = coordinate === 'p' ? parseProtein(c, text, acc) : parseNucleotide(c, text, acc, inner, coordinate);
    if (!c.atEnd()) c.fail('unexpected text after the change');
    if (value.level === 'nucleotide' && value.change.kind === 'substitution' && !DNA_BASES.test(value.change.ref)) c.fail('invalid base');
    return { ok: true, value };
  } catch (error) {
    if (error instanceof HgvsSyntaxError) return { ok: false, error: error.message, offset: error.offset };
    throw error;
  }
}

/** First and last position numbers of a nucleotide location as written (`?` bounds → null). */
export function locationBounds(location: NucleotideLocation): { first: number | null; last: number | null } {
  const first = firstPoint(location.start).base;
  const last = lastPoint(location.end ?? location.start).base;
  return { first, last };
}
