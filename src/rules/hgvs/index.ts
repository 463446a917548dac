export * from './ast';
export { parseHgvs, locationBounds } from './parser';
