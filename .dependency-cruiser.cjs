// The dependency rules of docs/conventions.md, enforced in `npm test` (step "lint", scripts/lint.mjs).
// Paths are relative to the repository root; workspace packages resolve through node_modules
// symlinks to shared/<pkg>/src and services/<pkg>/src.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-service-to-service',
      comment: 'Services meet only through topics and published APIs: no service imports another (what two need goes to shared/).',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ is plain functions over data: it imports only @zhner/core, @zhner/contracts, its own domain, its service\'s error catalogue (src/errors.ts) and pure node built-ins (crypto, path, url).',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/', pathNot: '\\.test\\.tsx?$' },
      to: { pathNot: ['^shared/(core|contracts)/', '^services/[^/]+/src/domain/', '^services/[^/]+/src/errors\\.ts$', '^(node:)?(crypto|path|url)$'] },
    },
    {
      name: 'error-catalogue-is-pure',
      comment: 'A service\'s error catalogue (src/errors.ts) is data over @zhner/core: domain/ imports it, so it imports nothing else.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/errors\\.ts$' },
      to: { pathNot: '^shared/core/' },
    },
    {
      name: 'core-has-no-dependencies',
      comment: '@zhner/core has no runtime dependency: node built-ins only.',
      severity: 'error',
      from: { path: '^shared/core/' },
      to: { pathNot: '^shared/core/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'contracts-and-model-on-core-only',
      comment: 'Contracts and the model runtime import only @zhner/core among our packages (no logger, metrics or HTTP).',
      severity: 'error',
      from: { path: '^shared/(contracts|model)/' },
      to: { path: '^(shared|services)/', pathNot: ['^shared/core/', '^shared/$1/'] },
    },
    {
      name: 'web-imports-contract-types-only',
      comment: 'The browser bundle takes types from the published contracts, never server code or runtime values (the one exception: the span rule, @zhner/core/spans, which has no imports).',
      severity: 'error',
      from: { path: '^services/studio/web/src/' },
      to: { path: '^(shared|services/(?!studio/web/))', pathNot: '^shared/core/(src/)?spans\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-imports-no-server-code',
      severity: 'error',
      from: { path: '^services/studio/web/src/' },
      to: { path: ['^services/(?!studio/web/)', '^shared/(?!contracts/)'], pathNot: '^shared/core/(src/)?spans\\.ts$' },
    },
    {
      name: 'shared-package-through-its-index',
      comment: 'Another package is imported through its index.ts only, never by a deep path.',
      severity: 'error',
      from: { path: '^shared/([^/]+)/' },
      to: { path: '^shared/[^/]+/src/', pathNot: ['^shared/$1/', '^shared/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'package-through-its-index',
      severity: 'error',
      from: { path: '^(services|test|deploy|bench|scripts)/' },
      to: { path: '^shared/[^/]+/src/', pathNot: '^shared/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'span-rule-has-no-imports',
      comment: 'The span rule runs in the browser too: it imports nothing.',
      severity: 'error',
      from: { path: '^shared/core/src/spans\\.ts$' },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/dist/', '\\.venv'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
