// Lint: typescript-eslint's recommended rules, `any` forbidden. The layering between folders is
// checked by dependency-cruiser (.dependency-cruiser.cjs); both run in `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'logs/', 'bin/', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Workflow code loads some modules lazily with require(): every workflow run evaluates the
    // modules it imports afresh, so a schema only a few runs need is built only by those.
    files: ['src/workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
