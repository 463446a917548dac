/**
 * The generated narrative of the resources the gateway builds itself (dom-6: a resource should
 * have one). Plain escaped text in one paragraph: well within HL7's allowed XHTML.
 */
import type { Narrative } from 'fhir/r4';

export function narrative(text: string): Narrative {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escaped}</p></div>` };
}
