/**
 * How far V8 lets the old generation grow past what survived the last major GC before it starts
 * the next one, for the long-running `serve` process once it is ready (all its isolates: the event
 * loop's and the validation workers').
 *
 * Why it is fixed here: the gateway holds some 90 MB of compiled definitions per isolate, while its
 * request churn promotes only a few MB a second. V8 picks the growing factor per GC from its
 * marking speed against the mutator's, and for such a heap it picks a small one (about 1.3); the
 * next marking then starts as soon as the old generation is within a young generation's size of
 * that limit, a few MB above the live size. Once there, the main isolate stays there: under load
 * `bench:http` saw a major GC every 0.5 s, each marking the whole 90 MB, which cost more than a
 * tenth of the CPU per submission and came and went between otherwise identical runs. A fixed
 * factor of 2 leaves room for about a minute of promotion; memory stays bounded by twice the live
 * heap, as the bench's forced GCs show. While the definitions are compiled, allocation is fast and
 * V8's own factor is the larger one, so the fixed one applies from readiness on.
 */
import v8 from 'node:v8';

/** The old generation grows to (1 + this / 100) times its live size before the next major GC. */
export const HEAP_GROWING_PERCENT = 100;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * Sets V8's heap growing factor for this process, unless the operator gave one on node's command
 * line (`node --heap-growing-percent=N bin/ngc-gateway.js serve`), which wins. Returns the
 * percentage in force, or undefined when it is the operator's.
 */
export function fixHeapGrowth(execArgv: readonly string[] = process.execArgv): number | undefined {
  if (execArgv.some((arg) => FLAG.test(arg))) return undefined;
  // Read by V8 at every major GC, so setting it after start-up takes effect from the next one.
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return HEAP_GROWING_PERCENT;
}
