// `@zhner/core/spans`: the span rule alone (no imports), for the web bundle.
export * from './src/spans';
