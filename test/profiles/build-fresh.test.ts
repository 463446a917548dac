/**
 * The committed profiles/package (and the FSH generated from the rule catalogue) must be what the
 * sources build to today: this rebuilds with SUSHI into a temporary folder and compares byte by
 * byte. When it fails, run `npm run build:profiles` and commit the result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GENERATED_FSH, PACKAGE_DIR, PROFILES_DIR, buildProfiles } from '../../scripts/build-profiles';

const listing = (dir: string): string[] => fs.readdirSync(dir).sort();

// SUSHI with snapshots needs ~13 s of CPU (about 15 s on an idle machine); allow for a busy shared one.
jest.setTimeout(300_000);

test('the committed NGC package is a fresh, deterministic build of profiles/', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-package-'));
  try {
    const result = buildProfiles({ outDir, writeGeneratedFsh: false });

    expect(fs.readFileSync(path.join(PROFILES_DIR, GENERATED_FSH), 'utf8')).toBe(result.generatedFsh);
    expect(listing(outDir)).toEqual(listing(PACKAGE_DIR));
    const stale = listing(outDir).filter(
      (file) => !fs.readFileSync(path.join(outDir, file)).equals(fs.readFileSync(path.join(PACKAGE_DIR, file))),
    );
    expect(stale).toEqual([]);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});
