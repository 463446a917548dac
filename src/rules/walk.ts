/**
 * The rules' walk over every object of a Bundle or resource. It keeps only the keys and indices on
 * the way and spells a FHIRPath out when a visitor asks: visitors need one only for the rare object
 * they report, and building one for every object visited was most of the rules' garbage.
 */
import type { Json } from './context';

export interface WalkPosition {
  /** The FHIRPath of the object being visited, e.g. `Bundle.entry[2].resource.code.coding[0]`. */
  path(): string;
  /** Its element path below the root without indices, e.g. `code.coding`. */
  element(): string;
}

/** `Bundle.entry[2].resource` + `['code', 'coding', 0]` → `Bundle.entry[2].resource.code.coding[0]` */
export function formatTrail(rootPath: string, steps: readonly (string | number)[]): string {
  let out = rootPath;
  for (const step of steps) out += typeof step === 'number' ? `[${step}]` : `.${step}`;
  return out;
}

export interface WalkOptions {
  /** The root's FHIRPath (default `Bundle`). */
  path?: string;
}

export function walkObjects(root: unknown, visit: (node: Json, at: WalkPosition) => void, options: WalkOptions = {}): void {
  const rootPath = options.path ?? 'Bundle';
  const steps: (string | number)[] = [];
  const keys: string[] = [];
  const at: WalkPosition = {
    path: () => formatTrail(rootPath, steps),
    element: () => keys.join('.'),
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        if (typeof node[i] !== 'object' || node[i] === null) continue;
        steps.push(i);
        walk(node[i]);
        steps.pop();
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Json;
    visit(obj, at);
    for (const key in obj) {
      const value = obj[key];
      if (typeof value !== 'object' || value === null) continue;
      steps.push(key);
      keys.push(key);
      walk(value);
      keys.pop();
      steps.pop();
    }
  };
  walk(root);
}
