import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', '.tmp-*/', '.readme-example-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // shared/ is infrastructure: it must never depend on a domain.
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/domains/**'] }] },
  },
  {
    // The client runs in browsers, Deno and Bun with zero dependencies: it may only reach the server's
    // schemas for their types (erased at build), never a package or a Node built-in at runtime.
    files: ['src/client/**/*.ts'],
    ignores: ['src/client/**/*.test.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../**/domains/**', '../**/shared/**'],
              allowTypeImports: true,
              message: 'types only from the server',
            },
            { regex: '^(?!\\.{1,2}/)', allowTypeImports: true, message: 'the client has no runtime dependencies' },
          ],
        },
      ],
    },
  },
  {
    // The web console runs in the browser.
    files: ['console/src/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        localStorage: 'readonly',
        navigator: 'readonly',
        addEventListener: 'readonly',
        removeEventListener: 'readonly',
      },
    },
  },
  {
    files: ['bench/**', 'scripts/**', 'bin/**', 'console/build.mjs'],
    rules: { 'no-console': 'off' },
  },
)
