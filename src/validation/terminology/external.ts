/**
 * Code systems too large (or grammar-based) to load, checked by form: UCUM unit expressions,
 * MIME types (BCP 13) and language tags (BCP 47). Each answers valid, invalid, or (for a
 * well-formed UCUM expression with an atom this table does not know) not-checkable.
 */
import type { CodeCheck } from './types';

export const UCUM = 'http://unitsofmeasure.org';
export const BCP13 = 'urn:ietf:bcp:13';
export const BCP47 = 'urn:ietf:bcp:47';

// UCUM atoms that accept metric prefixes (the common part of the UCUM table).
const METRIC_ATOMS = new Set(
  (
    'm s g rad K C cd mol sr Hz N Pa J W A V F Ohm S Wb Cel T H lm lx Bq Gy Sv l L ar t bar u eV pc ' +
    '[c] [h] [k] [eps_0] [mu_0] [e] [m_e] [m_p] [G] [g] [ly] gf Ky Gal dyn erg P St Mx G Oe Gb sb Lmb ph Ci R RAD REM ' +
    'cal_[15] cal_[20] cal_m cal_IT cal_th cal tex bit By Bd mho U [iU] [IU] kat eq osm g% m[Hg] m[H2O] B B[SPL] B[V] B[mV] B[uV] B[10.nV] B[W] B[kW] ' +
    'Np st [Amb\'a\'1\'U]'
  ).split(' '),
);
// UCUM atoms without metric prefixes.
const NON_METRIC_ATOMS = new Set(
  (
    '10* 10^ % [pi] [ppth] [ppm] [ppb] [pptr] gon deg \' \'\' min h d a a_t a_j a_g mo mo_s mo_j mo_g wk AU atm [ppb] ' +
    '[in_i] [ft_i] [yd_i] [mi_i] [fth_i] [nmi_i] [kn_i] [sin_i] [sft_i] [syd_i] [cin_i] [cft_i] [cyd_i] [bf_i] [cr_i] [mil_i] [cml_i] [hd_i] ' +
    '[ft_us] [yd_us] [in_us] [rd_us] [ch_us] [lk_us] [rch_us] [rlk_us] [fth_us] [fur_us] [mi_us] [acr_us] [srd_us] [smi_us] [sct] [twp] [mil_us] ' +
    '[gal_us] [bbl_us] [qt_us] [pt_us] [gil_us] [foz_us] [fdr_us] [min_us] [crd_us] [bu_us] [gal_wi] [pk_us] [dqt_us] [dpt_us] [tbs_us] [tsp_us] [cup_us] [foz_m] [cup_m] [tsp_m] [tbs_m] ' +
    '[gal_br] [pk_br] [bu_br] [qt_br] [pt_br] [gil_br] [foz_br] [fdr_br] [min_br] ' +
    '[gr] [lb_av] [oz_av] [dr_av] [scwt_av] [lcwt_av] [ston_av] [lton_av] [stone_av] [pwt_tr] [oz_tr] [lb_tr] [sc_ap] [dr_ap] [oz_ap] [lb_ap] [oz_m] ' +
    '[lne] [pnt] [pca] [pnt_pr] [pca_pr] [pied] [pouce] [ligne] [didot] [cicero] ' +
    '[degF] [degR] [degRe] cal_[15] [Btu_39] [Btu_59] [Btu_60] [Btu_m] [Btu_IT] [Btu_th] [Btu] [HP] ' +
    '[p\'diop] %[slope] [mesh_i] [Ch] [drp] [hnsf\'U] [MET] [hp\'_X] [hp\'_C] [hp\'_M] [hp\'_Q] [hp_X] [hp_C] [hp_M] [hp_Q] [kp_X] [kp_C] [kp_M] [kp_Q] ' +
    '[pH] [S] [HPF] [LPF] [arb\'U] [USP\'U] [GPL\'U] [MPL\'U] [APL\'U] [beth\'U] [anti\'Xa\'U] [todd\'U] [dye\'U] [smgy\'U] [bdsk\'U] [ka\'U] [knk\'U] ' +
    '[mclg\'U] [tb\'U] [CCID_50] [TCID_50] [EID_50] [PFU] [FFU] [CFU] [IR] [BAU] [AU] [PNU] [Lf] [D\'ag\'U] [FEU] [ELU] [EU] ' +
    '[diop] [car_m] [car_Au] [smoot] [m/s2/Hz^(1/2)] [wood\'U] [dist\'U] [PRU] [mm\'Hg] ' +
    'circ sph [psi] [iU] [IU] [in_i\'Hg] [in_i\'H2O] [Ch] [ch] Ao b mho'
  ).split(' '),
);
const PREFIXES = ['da', 'Ki', 'Mi', 'Gi', 'Ti', 'Y', 'Z', 'E', 'P', 'T', 'G', 'M', 'k', 'h', 'd', 'c', 'm', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

type UcumResult = { ok: true; unknownAtoms: string[] } | { ok: false; error: string };

/** Parses a UCUM expression by the grammar of the UCUM specification (§ 2 "Syntax rules"). */
export function checkUcum(code: string): UcumResult {
  let pos = 0;
  const unknownAtoms: string[] = [];
  const fail = (error: string): UcumResult => ({ ok: false, error: `${error} at position ${pos + 1}` });
  if (code.length === 0) return { ok: false, error: 'empty unit' };
  if (/\s/.test(code)) return { ok: false, error: 'a UCUM unit contains no spaces' };

  const atomKnown = (atom: string): boolean => {
    if (METRIC_ATOMS.has(atom) || NON_METRIC_ATOMS.has(atom)) return true;
    for (const p of PREFIXES) if (atom.startsWith(p) && METRIC_ATOMS.has(atom.slice(p.length))) return true;
    return false;
  };

  const annotation = (): string | undefined => {
    const end = code.indexOf('}', pos);
    if (end === -1) return 'unclosed annotation {';
    const text = code.slice(pos + 1, end);
    if (/[{}]/.test(text) || /[^\x21-\x7e]/.test(text)) return 'invalid character in annotation';
    pos = end + 1;
    return undefined;
  };

  const component = (): string | undefined => {
    if (pos >= code.length) return 'missing unit';
    const ch = code[pos];
    if (ch === '(') {
      pos++;
      const err = term();
      if (err) return err;
      if (code[pos] !== ')') return 'missing )';
      pos++;
      return undefined;
    }
    if (ch === '{') return annotation();
    // A pure number is a factor (it may not carry an exponent).
    const digits = /^\d+/.exec(code.slice(pos));
    if (digits && !/^10[*^]/.test(code.slice(pos))) {
      pos += digits[0].length;
      // A number may carry an annotation (`1000000{Base}`, accepted by the UCUM services HL7 uses).
      if (code[pos] === '{') return annotation();
      if (pos < code.length && !'./)'.includes(code[pos])) return 'a number must stand alone';
      return undefined;
    }
    // A simple unit: an atom (brackets may hold anything), then an optional exponent.
    let atom: string;
    const special = /^10[*^]/.exec(code.slice(pos));
    if (special) {
      atom = special[0];
      pos += atom.length;
    } else {
      const start = pos;
      while (pos < code.length && !'./(){}+-0123456789'.includes(code[pos])) {
        if (code[pos] === '[') {
          const close = code.indexOf(']', pos);
          if (close === -1) return 'unclosed [';
          pos = close;
        }
        pos++;
      }
      atom = code.slice(start, pos);
      if (!atom) return `unexpected '${code[pos]}'`;
    }
    const exp = /^[+-]?\d+/.exec(code.slice(pos));
    if (exp) pos += exp[0].length;
    if (special && !exp) return `'${atom}' needs an exponent`;
    if (!atomKnown(atom)) unknownAtoms.push(atom);
    if (code[pos] === '{') return annotation();
    return undefined;
  };

  const term = (): string | undefined => {
    let err = component();
    if (err) return err;
    while (pos < code.length && (code[pos] === '.' || code[pos] === '/')) {
      pos++;
      err = component();
      if (err) return err;
    }
    return undefined;
  };

  if (code[0] === '/') pos = 1;
  const err = term();
  if (err) return fail(err);
  if (pos !== code.length) return fail(`unexpected '${code[pos]}'`);
  return { ok: true, unknownAtoms };
}

// RFC 6838 restricted names; parameters as `; name=value`.
const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;
const MIME_TYPES = new Set(['application', 'audio', 'font', 'example', 'image', 'message', 'model', 'multipart', 'text', 'video']);
// RFC 5646 language tags (langtag, private use, grandfathered irregular forms).
const BCP47_TAG =
  /^(([a-z]{2,3}(-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-([a-z\d]{5,8}|\d[a-z\d]{3}))*(-[\da-wy-z](-[a-z\d]{2,8})+)*(-x(-[a-z\d]{1,8})+)?|x(-[a-z\d]{1,8})+|en-gb-oed|i-[a-z]{2,8}|sgn-[a-z]{2}-[a-z]{2,3})$/i;

/** The answer for a code of a system checked by form, or undefined for systems this module does not know. */
export function checkExternal(system: string, code: string): CodeCheck | undefined {
  switch (system) {
    case UCUM: {
      const r = checkUcum(code);
      if (!r.ok) return { outcome: 'invalid', message: `'${code}' is not a valid UCUM unit: ${r.error}` };
      if (r.unknownAtoms.length) {
        return { outcome: 'not-checkable', message: `UCUM unit '${code}' is well formed, but the unit(s) ${r.unknownAtoms.map((a) => `'${a}'`).join(', ')} could not be checked` };
      }
      return { outcome: 'valid' };
    }
    case BCP13:
      return MIME.test(code) && MIME_TYPES.has(code.slice(0, code.indexOf('/')).toLowerCase())
        ? { outcome: 'valid' }
        : { outcome: 'invalid', message: `'${code}' is not a valid MIME type (type/subtype, BCP 13)` };
    case BCP47:
      return BCP47_TAG.test(code) ? { outcome: 'valid' } : { outcome: 'invalid', message: `'${code}' is not a valid language tag (BCP 47)` };
    default:
      return undefined;
  }
}
