/**
 * fhirpath.js and its R4 model, loaded on first use. Loading them costs ~0.2 s of CPU, a large share
 * of the start-up, and most runs never call them: invariants run natively (fhirpath-native.ts) from
 * ASTs kept on disk (fhirpath-ast-cache.ts), so only an expression outside the native subset, or an
 * input the native evaluator cannot judge exactly, needs the library.
 */
import type * as FhirpathJs from 'fhirpath';
import type { Model } from 'fhirpath';

let lib: typeof FhirpathJs | undefined;
let r4: Model | undefined;

export function fhirpathJs(): typeof FhirpathJs {
  return (lib ??= require('fhirpath') as typeof FhirpathJs);
}

export function fhirpathR4Model(): Model {
  return (r4 ??= require('fhirpath/fhir-context/r4') as Model);
}
