/** Turns parser path segments into the simple FHIRPath the OperationOutcome carries. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatPath(root: string, segments: readonly (string | number)[]): string {
  let out = root;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += `.${s}`;
    // FHIRPath delimits identifiers that are not plain names with backticks.
    else out += `.\`${s.replace(/[\\`]/g, (m) => `\\${m}`)}\``;
  }
  return out;
}
