/**
 * The layering of src/ (README "Layout"), checked by `npm run lint`. A rule names what a folder
 * must not import; type-only imports are allowed across layers where a rule says so, because they
 * vanish from the built code.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'contracts-import-nothing',
      comment:
        'src/contracts/ is the run contract: types and Temporal message definitions, importing nothing else of the project and no package but Temporal (no zod).',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { pathNot: ['^src/contracts/', '^node_modules/@temporalio/'] },
    },
    {
      name: 'workflows-no-node',
      comment: 'Workflow code runs in the deterministic sandbox: no Node built-ins.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-no-activity-values',
      comment: 'Workflows call activities through proxies; they may import activity types, never their code.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: '^src/activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'activities-not-workflows',
      comment: 'Activities run on the worker outside the sandbox; what they share with workflows lives in src/contracts/.',
      severity: 'error',
      from: { path: '^src/activities/' },
      to: { path: '^src/workflows/' },
    },
    {
      name: 'catalog-not-cli',
      comment: 'The catalog is a library the CLI, the starter and sync use, never the other way round.',
      severity: 'error',
      from: { path: '^src/catalog/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'src-not-examples',
      comment: 'The examples register their own activities with the worker; src/ never imports them.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^examples/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles between modules.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'No import cycles between folders: a folder is a layer, and layers import one way.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|\\.data)/' },
  },
};
