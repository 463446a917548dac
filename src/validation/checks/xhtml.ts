/**
 * Narrative XHTML beyond its outer <div> (see primitives.ts): well-formedness, only the elements
 * and attributes txt-1 allows (narrative-html.ts), and some visible content (txt-2), as the HL7
 * validator checks them. Like HL7, each illegal name is its own error and txt-1 fails once besides,
 * all at the div.
 *
 * A small scanner rather than an XML parser: only names and nesting matter here, and a narrative
 * sits in nearly every resource of a report.
 */
import type { ValidationIssue } from '../issue';
import type { ElementNode } from '../compile/model';
import { report } from './context';
import {
  BLOCK_ELEMENTS,
  NARRATIVE_ATTRIBUTES,
  NARRATIVE_ELEMENT_ATTRIBUTES,
  NARRATIVE_ELEMENTS,
  NARRATIVE_TOLERATED_ATTRIBUTES,
  XHTML_NS,
} from './narrative-html';

export interface XhtmlElement {
  name: string;
  /** Attribute names and values, in document order. */
  attributes: [string, string][];
  /** Inside a <p> (at any depth). */
  inParagraph: boolean;
  /** Nesting depth: 0 for the outer element. */
  depth: number;
}

export interface XhtmlScan {
  elements: XhtmlElement[];
  /** Some non-whitespace text (outside markup), or an image with a source: what txt-2 asks for. */
  hasContent: boolean;
  /** Why the text is not well-formed XML, when it is not. */
  malformed?: string;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 /* _ */ || c === 58 /* : */;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 46 /* . */;
}

/** Elements and attributes of an XHTML fragment, or why it is not well-formed. */
export function scanXhtml(text: string): XhtmlScan {
  const elements: XhtmlElement[] = [];
  const open: string[] = [];
  let paragraphs = 0;
  let roots = 0;
  let i = 0;
  const n = text.length;
  let hasContent = false;
  const fail = (why: string): XhtmlScan => ({ elements, hasContent, malformed: why });
  const readName = (): string => {
    const start = i;
    if (i < n && isNameStart(text.charCodeAt(i))) {
      i++;
      while (i < n && isNameChar(text.charCodeAt(i))) i++;
    }
    return text.slice(start, i);
  };
  const skipSpace = (): void => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(i)) i++;
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      if (open.length === 0 && text.slice(i).trim()) return fail('text found after the end of the outer element');
      break;
    }
    if (lt > i && (open.length === 0 || !hasContent) && text.slice(i, lt).trim()) {
      if (open.length === 0) return fail('text found outside the outer element');
      hasContent = true;
    }
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return fail('unterminated comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) return fail('unterminated CDATA section');
      if (text.slice(i + 9, end).trim()) hasContent = true;
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!', i)) {
      return fail(/^<!DOCTYPE/i.test(text.slice(i, i + 9)) ? 'Found a DocType declaration, and these are not allowed (XXE security vulnerability protection)' : `unexpected '<!' markup`);
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return fail('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (text[i + 1] === '/') {
      i += 2;
      const name = readName();
      skipSpace();
      if (text[i] !== '>') return fail(`malformed end tag '</${name}'`);
      i++;
      const expected = open.pop();
      if (expected !== name) return fail(expected === undefined ? `Found "</${name}>" without a matching start tag` : `Found "</${name}>" expecting "</${expected}>"`);
      if (name === 'p') paragraphs--;
      continue;
    }
    i++;
    const name = readName();
    if (!name) return fail(`'<' not followed by an element name`);
    if (open.length === 0 && ++roots > 1) return fail('more than one outer element');
    const element: XhtmlElement = { name, attributes: [], inParagraph: paragraphs > 0, depth: open.length };
    for (;;) {
      const before = i;
      skipSpace();
      if (text[i] === '>' || text.startsWith('/>', i)) break;
      if (i === before) return fail(`malformed start tag <${name}>`);
      const attr = readName();
      if (!attr) return fail(`malformed attribute in <${name}>`);
      skipSpace();
      if (text[i] !== '=') return fail(`attribute '${attr}' on <${name}> has no value`);
      i++;
      skipSpace();
      const quote = text[i];
      if (quote !== '"' && quote !== "'") return fail(`the value of attribute '${attr}' on <${name}> is not quoted`);
      const end = text.indexOf(quote, i + 1);
      if (end < 0) return fail(`unterminated value of attribute '${attr}' on <${name}>`);
      element.attributes.push([attr, text.slice(i + 1, end)]);
      i = end + 1;
    }
    elements.push(element);
    if (name === 'img' && element.attributes.some(([a]) => a === 'src')) hasContent = true;
    if (text[i] === '/') {
      i += 2;
      continue;
    }
    i++;
    open.push(name);
    if (name === 'p') paragraphs++;
  }
  if (open.length) return fail(`unclosed element <${open[open.length - 1]}>`);
  return { elements, hasContent };
}

export interface NarrativeProblem {
  message: string;
  /** A name outside txt-1's lists (namespaces and nesting are separate rules). */
  failsTxt1: boolean;
}

/**
 * Characters RFC 3986 never allows in a URI, literally or as delimiters (they must be %-encoded), so a
 * link or image source holding one is no URL (HL7 reports it). Whitespace is left out: it is usually a
 * formatting slip that browsers tolerate, and HL7's treatment of it is not established here.
 */
const URL_ILLEGAL_CHARACTERS = /[{}|\\^`<>"]/;

/** The problems of a well-formed narrative, each described as the HL7 validator words it. */
export function narrativeProblems(scan: XhtmlScan): NarrativeProblem[] {
  const problems: NarrativeProblem[] = [];
  for (const el of scan.elements) {
    if (!NARRATIVE_ELEMENTS.has(el.name)) problems.push({ message: `Illegal element name in the XHTML ('${el.name}')`, failsTxt1: true });
    for (const [attr, value] of el.attributes) {
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) {
        if (el.depth > 0 && attr === 'xmlns' && value !== XHTML_NS) {
          problems.push({ message: `Wrong namespace on the XHTML ('${value}', should be '${XHTML_NS}')`, failsTxt1: false });
        }
        continue;
      }
      if ((attr === 'href' || attr === 'src') && URL_ILLEGAL_CHARACTERS.test(value)) {
        problems.push({ message: `URL contains invalid characters ('${value}' in the ${attr} of '${el.name}')`, failsTxt1: false });
      }
      if (NARRATIVE_ATTRIBUTES.has(attr) || NARRATIVE_ELEMENT_ATTRIBUTES.has(`${el.name}.${attr}`) || NARRATIVE_TOLERATED_ATTRIBUTES.has(attr)) continue;
      problems.push({ message: `Illegal attribute name in the XHTML ('${attr}' on '${el.name}')`, failsTxt1: true });
    }
    if (el.inParagraph && BLOCK_ELEMENTS.has(el.name)) {
      problems.push({ message: `Illegal element name inside a paragraph in the XHTML ('${el.name}')`, failsTxt1: false });
    }
  }
  return problems;
}

/** Checks a narrative div's content; `node` is its element (which carries txt-1). */
export function checkNarrativeXhtml(text: string, node: ElementNode, path: string, sink: ValidationIssue[]): void {
  const scan = scanXhtml(text);
  const problems = scan.malformed ? [] : narrativeProblems(scan);
  const txt1 = scan.malformed !== undefined || problems.some((p) => p.failsTxt1);
  if (txt1) {
    const inv = node.invariants.find((c) => c.key === 'txt-1');
    if (inv) report(sink, inv.severity, 'invariant', 'INVARIANT', `Constraint failed: txt-1: '${inv.human}' (defined in ${inv.source})`, path);
  }
  if (scan.malformed) {
    report(sink, 'error', 'invalid', 'XHTML', `Error parsing XHTML: Malformed XHTML: ${scan.malformed}`, path);
    return;
  }
  if (!scan.hasContent) {
    // R4 publishes txt-2 as htmlChecks() too; its own xpath (and HL7) ask for visible content
    const inv = node.invariants.find((c) => c.key === 'txt-2');
    if (inv) report(sink, inv.severity, 'invariant', 'INVARIANT', `Constraint failed: txt-2: '${inv.human}' (defined in ${inv.source})`, path);
  }
  for (const p of problems) report(sink, 'error', 'invalid', 'XHTML', p.message, path);
}
