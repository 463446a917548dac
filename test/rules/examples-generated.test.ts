/** The committed examples are exactly what scripts/build-examples.ts writes (run it after changing it). */
import fs from 'node:fs';
import path from 'node:path';
import { BROKEN, FIXES, generateExamples, stableUuid } from '../../scripts/build-examples';
import { EXAMPLES } from './helpers';

function committedFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? committedFiles(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
  );
}

test('the generator is deterministic', () => {
  const a = generateExamples();
  const b = generateExamples();
  expect([...a.entries()]).toEqual([...b.entries()]);
  expect(stableUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('implementation-guide/examples holds exactly the generated files', () => {
  const generated = generateExamples();
  expect(committedFiles(EXAMPLES).sort()).toEqual([...generated.keys()].sort());
  const stale = [...generated].filter(([rel, content]) => fs.readFileSync(path.join(EXAMPLES, rel), 'utf8') !== content).map(([rel]) => rel);
  expect(stale).toEqual([]);
});

test('every broken example has its own how-to-fix advice, and there is no advice for a missing example', () => {
  expect(Object.keys(FIXES).sort()).toEqual(BROKEN.map((b) => b.id).sort());
});
