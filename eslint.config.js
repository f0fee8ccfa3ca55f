// ESLint flat config: the TypeScript-aware recommended rules. Formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-sandbox/', 'node_modules/', 'data/', 'bench/results/', 'coverage/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', URL: 'readonly' },
    },
    rules: {
      'no-console': ['error', { allow: ['error', 'warn'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'test/**', 'devkit/**', 'sandbox/**'],
    rules: { 'no-console': 'off' },
  },
  // Boundaries (issue 15). src/ is the bot and never imports the test doubles or the sandbox
  // (the top-level devkit/ and sandbox/): `npm run build` compiles src/ alone, so the image holds
  // neither.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/devkit/**', '**/devkit', '**/sandbox/**', '**/sandbox'],
              message: 'The bot (src/) must not import devkit/ or sandbox/ (they are not in its build).',
            },
          ],
        },
      ],
      // One place reads the environment: config.ts (and the entry points that hand it over).
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings in config.ts and pass them in.' },
      ],
    },
  },
  { files: ['src/config.ts', 'src/main.ts', 'src/lambda.ts'], rules: { 'no-restricted-properties': 'off' } },
  // core/ is the bottom layer (test/build/folder-cycles.test.ts checks the rest of the layering):
  // errors, clock, wording and shared types that import nothing else of the bot.
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*', '../**'], message: 'core/ imports nothing outside core/.' }] },
      ],
    },
  },
  // Domain logic is free of Slack: testable alone, reusable behind another interface.
  {
    files: [
      'src/identity/access.ts',
      'src/otp/otpauth.ts',
      'src/otp/codes.ts',
      'src/approvals/approval.ts',
      'src/store/**/*.ts',
      'src/rotation/*.ts',
      'src/rotation/core/**/*.ts',
      'src/rotation/service/**/*.ts',
      'src/keys-due/*.ts',
      'src/smtp-users/*.ts',
      'src/scheduling/**/*.ts',
      'src/aws/**/*.ts',
      'src/trail/cloudtrail-record.ts',
      'src/trail/rate-limit.ts',
      'src/trail/user-agent.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*'], message: 'Domain modules do not know Slack: pass plain values in.' },
            {
              group: ['**/devkit/**', '**/sandbox/**'],
              message: 'The bot must not import the devkit or the sandbox.',
            },
            {
              group: ['**/slack/**', '**/slack'],
              message: 'Domain modules do not know Slack: pass plain values in.',
            },
          ],
        },
      ],
    },
  },
);
