// `@zhner/contracts/http`: the published HTTP contracts alone (TypeBox only, no Avro, no Node APIs),
// for the browser bundle's type-only imports.
export * from './src/http/index';
