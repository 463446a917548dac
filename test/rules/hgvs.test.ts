import { locationBounds, parseHgvs, type HgvsVariant, type NucleotideVariant, type ProteinVariant } from '../../src/rules/hgvs';

function ok(text: string): HgvsVariant {
  const r = parseHgvs(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.value;
}
function nuc(text: string): NucleotideVariant {
  const v = ok(text);
  if (v.level !== 'nucleotide') throw new Error('not nucleotide');
  return v;
}
function prot(text: string): ProteinVariant {
  const v = ok(text);
  if (v.level !== 'protein') throw new Error('not protein');
  return v;
}

describe('HGVS parser: nucleotide level', () => {
  test('substitution on a GRCh38 chromosome', () => {
    const v = nuc('NC_000017.11:g.7675088C>T');
    expect(v.accession).toEqual({ id: 'NC_000017.11', kind: 'refseq', prefix: 'NC', stem: 'NC_000017', version: 11 });
    expect(v.coordinate).toBe('g');
    expect(v.change).toEqual({ kind: 'substitution', ref: 'C', alt: 'T' });
    expect(locationBounds(v.location!)).toEqual({ first: 7675088, last: 7675088 });
  });

  test.each([
    ['NC_000017.11:g.43124027_43124028del', 'deletion', 43124027, 43124028],
    ['NC_000013.11:g.32340301del', 'deletion', 32340301, 32340301],
    ['NC_000017.11:g.43057063dup', 'duplication', 43057063, 43057063],
    ['NC_000017.11:g.43057063_43057065dupAGG', 'duplication', 43057063, 43057065],
    ['NC_000001.11:g.123_124insAGC', 'insertion', 123, 124],
    ['NC_000001.11:g.123_124ins(10)', 'insertion', 123, 124],
    ['NC_000001.11:g.123_124insN[12]', 'insertion', 123, 124],
    ['NC_000001.11:g.123_124ins200_210', 'insertion', 123, 124],
    ['NC_000001.11:g.123_124insNC_000002.12:g.100_200inv', 'insertion', 123, 124],
    ['NC_000001.11:g.123_127delinsAG', 'deletionInsertion', 123, 127],
    ['NC_000001.11:g.123_124delAGinsTTT', 'deletionInsertion', 123, 124],
    ['NC_000001.11:g.123_456inv', 'inversion', 123, 456],
    ['NC_000004.12:g.3074877_3074879CAG[40]', 'repeat', 3074877, 3074879],
    ['NC_000004.12:g.3074877CAG[(36_40)]', 'repeat', 3074877, 3074877],
    ['NC_000001.11:g.123_191CAG[19]CAA[4]', 'repeat', 123, 191],
    ['NC_000022.11:g.18912231_21465672del', 'deletion', 18912231, 21465672],
    ['NC_000001.11:g.123=', 'identity', 123, 123],
    ['NC_012920.1:m.3243A>G', 'substitution', 3243, 3243],
  ])('%s is a %s at %i-%i', (text, kind, first, last) => {
    const v = nuc(text);
    expect(v.change.kind).toBe(kind);
    expect(locationBounds(v.location!)).toEqual({ first, last });
  });

  test('repeat units are kept with their counts', () => {
    const v = nuc('NC_000001.11:g.123_191CAG[19]CAA[4]');
    expect(v.change).toEqual({ kind: 'repeat', units: [{ sequence: 'CAG', count: { kind: 'exact', value: 19 } }, { sequence: 'CAA', count: { kind: 'exact', value: 4 } }] });
  });

  test('intronic offsets and UTR positions in c.', () => {
    const v = nuc('NM_007294.4:c.68-2A>G');
    expect(v.location?.start).toEqual({ kind: 'point', base: 68, anchor: 'none', offset: -2, offsetUnknown: false });
    expect(nuc('NM_007294.4:c.5193+1G>A').location?.start).toMatchObject({ base: 5193, offset: 1 });
    expect(nuc('NM_000546.6:c.-10G>A').location?.start).toMatchObject({ base: 10, anchor: 'upstream' });
    expect(nuc('NM_000546.6:c.*5C>T').location?.start).toMatchObject({ base: 5, anchor: 'downstream' });
    expect(nuc('NM_000546.6:c.-10+1G>A').location?.start).toMatchObject({ base: 10, anchor: 'upstream', offset: 1 });
    expect(nuc('NM_000546.6:c.-10_-1del').change.kind).toBe('deletion');
    expect(nuc('NM_000546.6:c.*5_*7dup').change.kind).toBe('duplication');
    expect(nuc('NM_007294.4:c.4186-?_4357+?del').location?.start).toMatchObject({ base: 4186, offsetUnknown: true });
  });

  test('uncertain positions in parentheses', () => {
    const v = nuc('NC_000017.11:g.(43044295_43045677)_(43124017_43125483)del');
    expect(v.location?.start).toMatchObject({ kind: 'uncertain', from: { base: 43044295 }, to: { base: 43045677 } });
    expect(locationBounds(v.location!)).toEqual({ first: 43044295, last: 43125483 });
    const c = nuc('NM_007294.4:c.(4096+1_4097-1)_(4185+1_4186-1)dup');
    expect(c.change.kind).toBe('duplication');
    const open = nuc('NC_000022.11:g.(?_18912231)_(21465672_?)del');
    expect(locationBounds(open.location!)).toEqual({ first: null, last: null });
  });

  test('predicted consequence and special forms', () => {
    expect(nuc('NC_000017.11:g.(7675088C>T)').predicted).toBe(true);
    expect(nuc('NC_000017.11:g.=').change.kind).toBe('identity');
    expect(nuc('NM_007294.4:c.?').change.kind).toBe('unknown');
    expect(nuc('NC_000023.11(NM_004006.2):c.4375C>T').innerAccession?.id).toBe('NM_004006.2');
    expect(nuc('ENST00000357654.9:c.68_69del').accession).toMatchObject({ kind: 'ensembl', prefix: 'ENST', version: 9 });
    expect(nuc('NR_024540.1:n.1280A>G').coordinate).toBe('n');
    expect(nuc('LRG_292t1:c.68_69del').accession.kind).toBe('lrg');
  });
});

describe('HGVS parser: protein level', () => {
  test.each([
    ['NP_000537.3:p.Arg175His', 'substitution', 'three'],
    ['NP_000537.3:p.(Arg175His)', 'substitution', 'three'],
    ['NP_000537.3:p.R175H', 'substitution', 'one'],
    ['NP_009225.1:p.Cys61Gly', 'substitution', 'three'],
    ['NP_009225.1:p.C61G', 'substitution', 'one'],
    ['NP_009225.1:p.Trp24Ter', 'nonsense', 'three'],
    ['NP_009225.1:p.Trp24*', 'nonsense', 'three'],
    ['NP_009225.1:p.W24*', 'nonsense', 'one'],
    ['NP_009225.1:p.Cys61=', 'silent', 'three'],
    ['NP_009225.1:p.=', 'identity', 'none'],
    ['NP_009225.1:p.(=)', 'identity', 'none'],
    ['NP_009225.1:p.?', 'unknown', 'none'],
    ['NP_009225.1:p.0', 'noProtein', 'none'],
    ['NP_009225.1:p.Met1?', 'unknownConsequence', 'three'],
    ['NP_009225.1:p.Glu23ValfsTer17', 'frameshift', 'three'],
    ['NP_009225.1:p.(Gln1756ProfsTer74)', 'frameshift', 'three'],
    ['NP_009225.1:p.Glu23fs', 'frameshift', 'three'],
    ['NP_009225.1:p.E23Vfs*17', 'frameshift', 'one'],
    ['NP_000050.3:p.Ser1982ArgfsTer22', 'frameshift', 'three'],
    ['NP_009225.1:p.Lys2_Gly5del', 'deletion', 'three'],
    ['NP_009225.1:p.Lys2del', 'deletion', 'three'],
    ['NP_009225.1:p.Lys2_Gly3dup', 'duplication', 'three'],
    ['NP_009225.1:p.Lys2_Gly3insGlnSerLys', 'insertion', 'three'],
    ['NP_009225.1:p.Lys2_Gly3insX[10]', 'insertion', 'three'],
    ['NP_009225.1:p.Cys28delinsTrpVal', 'deletionInsertion', 'three'],
    ['NP_009225.1:p.Met1ext-5', 'extension', 'three'],
    ['NP_009225.1:p.Ter110GlnextTer17', 'extension', 'three'],
    ['NP_009225.1:p.*110Glnext*?', 'extension', 'three'],
    ['NP_009225.1:p.Gln18[23]', 'repeat', 'three'],
  ])('%s is a %s written with %s codes', (text, kind, style) => {
    const v = prot(text);
    expect(v.change.kind).toBe(kind);
    expect(v.aminoAcidCodes).toBe(style);
  });

  test('amino acids are normalised to 3-letter codes in the AST', () => {
    expect(prot('NP_009225.1:p.C61G')).toMatchObject({ start: { aminoAcid: 'Cys', position: 61 }, change: { kind: 'substitution', alt: 'Gly' } });
    expect(prot('NP_009225.1:p.(Cys61Gly)')).toMatchObject({ predicted: true, start: { aminoAcid: 'Cys', position: 61 } });
    expect(prot('NP_009225.1:p.Glu23ValfsTer17').change).toEqual({ kind: 'frameshift', alt: 'Val', newStopAt: 17 });
  });
});

describe('HGVS parser: invalid descriptions', () => {
  test.each([
    ['NC_000017.11:7675088C>T', 'expected a coordinate type'],
    ['NC_000017.11g.7675088C>T', "':' after the accession"],
    ['NC_000017:g.7675088C>T', 'needs its version'],
    ['NC_000017.11:g.7675088C>TT', 'one base by one base'],
    ['NC_000017.11:g.7675088C>C', 'must differ'],
    ['NC_000017.11:g.123_124A>G', 'exactly one position'],
    ['NC_000017.11:g.124_123del', 'lower to the higher'],
    ['NC_000017.11:g.123_125delAG', 'has 2 bases but the location spans 3'],
    ['NC_000017.11:g.123insA', 'two flanking positions'],
    ['NC_000017.11:g.123_130insA', 'adjacent'],
    ['NC_000017.11:g.123inv', 'at least two positions'],
    ['NC_000017.11:g.0A>G', 'position 0'],
    ['NC_000017.11:g.-10A>G', 'only in c.'],
    ['NC_000017.11:g.68-2A>G', 'intronic offsets exist only'],
    ['NM_007294.4:g.68A>G', 'g. description cannot be given on NM'],
    ['NC_000017.11:c.68A>G', 'c. description cannot be given on NC'],
    ['NP_009225.1:c.68A>G', 'cannot be given on NP'],
    ['NC_000017.11:p.Cys61Gly', 'p. description cannot be given on NC'],
    ['NC_000017.11:x.123A>G', 'coordinate type'],
    ['NC_000017.11:g.123A>G ', 'white space'],
    ['NC_000017.11:g.123A>Gfoo', 'unexpected text'],
    ['NC_000017.11:g.(125_123)_(130_132)del', 'ascending'],
    ['NC_000017.11:g.123_125CAG[]', 'expected a count'],
    ['NC_000017.11:g.123', 'expected a change'],
    ['NC_000017.11:g.0123A>G', 'leading zeros'],
    ['XYZ_123.1:g.123A>G', 'reference sequence accession'],
    ['NP_009225.1:p.Cys61Glyy', 'unexpected text'],
    ['NP_009225.1:p.Cys61GlyTer', 'unexpected text'],
    ['NP_009225.1:p.C61Gly', 'mixes 1-letter and 3-letter'],
    ['NP_009225.1:p.Cys61Cys', 'same'],
    ['NP_009225.1:p.Cys0Gly', 'start at 1'],
    ['NP_009225.1:p.Lys2_Gly5insGln', 'adjacent'],
    ['NP_009225.1:p.Lys2insGln', 'flanking'],
    ['NP_009225.1:p.Cys61', 'expected a protein change'],
    ['NP_009225.1:p.Gly5_Lys2del', 'ascending'],
    ['NP_009225.1:p.Arg97_Gly98fs', 'single amino acid'],
    ['NP_009225.1:p.Cys61ext-5', 'extension starts'],
    ['', 'reference sequence accession'],
  ])('%s is rejected (%s)', (text, message) => {
    const r = parseHgvs(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });
});
