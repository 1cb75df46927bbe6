// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'scratch/', 'dist/', '.test-build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Every line the program writes goes through the one redacted writer (masks secrets and
    // phone numbers, escapes control characters). Tests may print as they like; bench/ is
    // not covered: its tables are a developer's measurements, not the program's output.
    files: ['src/**/*.ts'],
    ignores: [
      'src/redaction/output.ts',
      'src/**/*.test.ts',
      'src/**/*.test-support.ts',
      'src/**/test-support/**',
    ],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        ...['stdout', 'stderr'].map((property) => ({
          object: 'process',
          property,
          message: 'Print through the redacted writer (src/redaction/output.ts).',
        })),
      ],
      'no-restricted-imports': [
        'error',
        ...['process', 'node:process'].map((name) => ({
          name,
          importNames: ['stdout', 'stderr'],
          message: 'Print through the redacted writer (src/redaction/output.ts).',
        })),
      ],
    },
  },
  {
    files: ['src/resilience/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^\\.\\./(agent|providers|queue|observability|alerts|server|config|cli)|^\\.\\./\\.\\./',
              message:
                'src/resilience is a standalone library: it imports nothing else of the project.',
            },
          ],
        },
      ],
    },
  },
  {
    // the dashboard: plain ES modules the browser runs as they are
    files: ['src/server/dashboard/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'sessionStorage',
          'location',
          'fetch',
          'setTimeout',
          'clearTimeout',
          'console',
          'TextDecoderStream',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['bin/**/*.js', 'test/support/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
