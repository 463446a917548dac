/**
 * One full garbage collection at the end of start-up. Loading and compiling the definitions leaves
 * tens of MB of garbage (cache file text, parsed JSON that was trimmed, compile intermediates) in the
 * old generation. V8 collects it at its next major GC, which otherwise tends to fall into the first
 * validation: marking the ~100 MB of live definitions costs that validation 0.1-0.2 s of CPU (more
 * with a big Bundle live beside them). Collected here, the first validation starts from a compact
 * heap with room to grow, as later validations do.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    // Node has no API for a full GC: --expose-gc for a moment gives a fresh context its gc(), the
    // main context's globals stay as they are, and the flag is reset for later contexts (workers)
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  } finally {
    if (typeof exposed !== 'function') v8.setFlagsFromString('--no-expose-gc');
  }
}

export function collectStartupGarbage(): void {
  if (collect === undefined) collect = collector();
  collect?.();
}
