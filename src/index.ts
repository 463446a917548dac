export * as validation from './validation';
