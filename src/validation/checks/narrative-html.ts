/**
 * What FHIR narrative XHTML may contain (R4 Narrative, constraint txt-1: "the basic html formatting
 * elements and attributes described in chapters 7-11 (except section 4 of chapter 9) and 15 of the
 * HTML 4.0 standard, <a> elements (either name or href), images and internally contained style
 * attributes"), as the HL7 Java validator enumerates it. No scripts, forms, objects, frames or
 * event handlers: a narrative is shown to people by systems that trust it.
 */

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** Elements allowed anywhere in the narrative. */
export const NARRATIVE_ELEMENTS: ReadonlySet<string> = new Set([
  'p', 'br', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'span', 'b', 'em', 'i', 'strong', 'small', 'big', 'tt',
  'dfn', 'q', 'var', 'abbr', 'acronym', 'cite', 'blockquote', 'hr', 'address', 'bdo', 'kbd', 'sub', 'sup',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'pre', 'table', 'caption', 'colgroup', 'col', 'thead', 'tr', 'tfoot', 'tbody', 'th', 'td',
  'code', 'samp', 'img', 'map', 'area',
]);

/** Attributes allowed on any element (besides namespace declarations `xmlns`, `xmlns:*`). */
export const NARRATIVE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'title', 'style', 'class', 'id', 'lang', 'xml:lang', 'dir', 'accesskey', 'tabindex',
  // tables
  'span', 'width', 'align', 'valign', 'char', 'charoff', 'abbr', 'axis', 'headers', 'scope', 'rowspan', 'colspan',
]);

/** Attributes allowed only on one element, as `element.attribute`. */
export const NARRATIVE_ELEMENT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'a.href', 'a.name', 'a.charset', 'a.type', 'a.hreflang', 'a.rel', 'a.rev', 'a.shape', 'a.coords',
  'img.src', 'img.border', 'img.alt', 'img.longdesc', 'img.height', 'img.width', 'img.usemap', 'img.ismap',
  'div.xmlns', 'blockquote.cite', 'q.cite',
  'map.name', 'area.shape', 'area.coords', 'area.href', 'area.nohref', 'area.alt',
  'table.summary', 'table.width', 'table.border', 'table.frame', 'table.rules', 'table.cellspacing', 'table.cellpadding',
  'pre.space', 'td.nowrap',
]);

/**
 * Attributes that are not in the lists but are tolerated: `xml:space` is XML's own whitespace
 * switch, which the HL7 validator only hints about.
 */
export const NARRATIVE_TOLERATED_ATTRIBUTES: ReadonlySet<string> = new Set(['xml:space']);

/** Block elements, which may not appear inside a paragraph. */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set(['div', 'blockquote', 'table', 'ol', 'ul', 'p']);
