/**
 * Server-side HTML with escaping by default, shared by the implementation guide and the auditors'
 * workspace. Everything that comes from data (profiles, examples, rule texts, rejected payloads,
 * query strings) is escaped unless it is an `Html` fragment the product's own code built: a pasted
 * Bundle or a rejected payload is hostile input by definition.
 */

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A fragment that is already HTML; only the product's own code makes these. */
export interface Html {
  readonly html: string;
}

export function raw(html: string): Html {
  return { html };
}

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && typeof (value as Html).html === 'string') return (value as Html).html;
  return esc(value);
}

/** Tagged template: interpolated values are escaped unless they are `Html` (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return raw(out);
}
