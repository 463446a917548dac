/**
 * `serve` fixes V8's heap growing factor once it is ready (src/cli/heap-growth.ts), unless the
 * operator set one on node's command line. What the factor buys is measured by `npm run bench:http`
 * (`mainThreadGc.majorNotForced` per phase); V8 offers no way to read a flag back, so these tests
 * hold the rule about whose setting wins.
 */
import { fixHeapGrowth, HEAP_GROWING_PERCENT } from '../../src/cli/heap-growth';

describe('heap growth of the serving process', () => {
  it("leaves a growing factor given on node's command line alone", () => {
    expect(fixHeapGrowth(['--heap-growing-percent=30'])).toBeUndefined();
    expect(fixHeapGrowth(['--inspect', '--heap_growing_percent=30'])).toBeUndefined();
    expect(fixHeapGrowth(['--heap-growing-percent', '30'])).toBeUndefined();
  });

  it('sets its own factor otherwise', () => {
    expect(fixHeapGrowth(['--inspect', '--heap-growing-percentage-unrelated'])).toBe(HEAP_GROWING_PERCENT);
    expect(fixHeapGrowth([])).toBe(HEAP_GROWING_PERCENT);
  });
});
