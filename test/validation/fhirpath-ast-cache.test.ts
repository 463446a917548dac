import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fhirpath from 'fhirpath';

type AstCache = typeof import('../../src/validation/compile/fhirpath-ast-cache');
type Native = typeof import('../../src/validation/compile/fhirpath-native');

const EXPRESSION = "component.where(code.coding.code = '69547-8').all(valueString.exists())";

/** The modules as a new process loads them, with the cache in `cache` (the directory is remembered per process). */
function newProcess(cache: string): { astCache: AstCache; native: Native } {
  const saved = process.env.NGC_DEFINITIONS_CACHE;
  process.env.NGC_DEFINITIONS_CACHE = cache;
  let loaded!: { astCache: AstCache; native: Native };
  try {
    jest.isolateModules(() => {
      loaded = { astCache: require('../../src/validation/compile/fhirpath-ast-cache'), native: require('../../src/validation/compile/fhirpath-native') };
    });
    // the directory is resolved on first use: do it while the variable is set
    loaded.astCache.parseFhirpath('true');
  } finally {
    if (saved === undefined) delete process.env.NGC_DEFINITIONS_CACHE;
    else process.env.NGC_DEFINITIONS_CACHE = saved;
  }
  return loaded;
}

function storedFiles(cache: string): string[] {
  const root = path.join(cache, 'fhirpath-ast');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((version) => fs.readdirSync(path.join(root, version)).map((f) => path.join(root, version, f)));
}

function fileOf(cache: string, expression: string): string {
  const file = storedFiles(cache).find((f) => JSON.parse(fs.readFileSync(f, 'utf8')).expression === expression);
  if (!file) throw new Error(`no cached AST for ${expression}`);
  return file;
}

describe('FHIRPath AST cache', () => {
  it('stores each parsed expression once, as fhirpath.js parses it, and the next process reads it back', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-astcache-'));
    const first = newProcess(cache);
    expect(first.astCache.parseFhirpath(EXPRESSION)).toEqual(fhirpath.parse(EXPRESSION));
    const file = fileOf(cache, EXPRESSION);

    // proof that the next process reads the file instead of parsing: store another expression's AST under this one
    fs.writeFileSync(file, JSON.stringify({ expression: EXPRESSION, ast: fhirpath.parse('false') }));
    const second = newProcess(cache);
    expect(second.astCache.parseFhirpath(EXPRESSION)).toEqual(fhirpath.parse('false'));
    expect(second.native.compileNative(EXPRESSION)!({ component: [] })).toEqual([false]);
  });

  it('evaluates a cached expression exactly as a freshly parsed one', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-astcache-'));
    const variant = { component: [{ code: { coding: [{ code: '69547-8' }] } }] };
    const withRef = { component: [{ code: { coding: [{ code: '69547-8' }] }, valueString: 'A' }] };
    const fresh = newProcess('off').native.compileNative(EXPRESSION)!;
    newProcess(cache).native.compileNative(EXPRESSION);
    const cached = newProcess(cache).native.compileNative(EXPRESSION)!;
    for (const input of [variant, withRef, { component: [] }]) expect(cached(input)).toEqual(fresh(input));
    expect(cached(variant)).toEqual([false]);
    expect(cached(withRef)).toEqual([true]);
  });

  it('ignores a corrupt file or one written for another expression, and parses again', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-astcache-'));
    newProcess(cache).astCache.parseFhirpath(EXPRESSION);
    const file = fileOf(cache, EXPRESSION);
    fs.writeFileSync(file, '{"expression": "not this one", "ast": {}}');
    expect(newProcess(cache).astCache.parseFhirpath(EXPRESSION)).toEqual(fhirpath.parse(EXPRESSION));
    fs.writeFileSync(file, 'garbage');
    expect(newProcess(cache).astCache.parseFhirpath(EXPRESSION)).toEqual(fhirpath.parse(EXPRESSION));
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).ast).toEqual(fhirpath.parse(EXPRESSION));
  });

  it('writes nothing when the definitions cache is off, and still parses', () => {
    const { astCache } = newProcess('off');
    expect(astCache.parseFhirpath(EXPRESSION)).toEqual(fhirpath.parse(EXPRESSION));
    expect(() => astCache.parseFhirpath('where(')).toThrow();
  });
});
