// Flat ESLint config. Besides the recommended rule sets, it enforces which process a module may run
// in, per folder (no-restricted-imports): the renderer never reaches Node, Electron or engine code,
// the engine never reaches Electron or the store, the contract stays a dependency-free leaf, and the
// two hosts (app/: Electron, host/: glif serve and the CLI) share the service/ folder, never each other.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

/** Forbids Node's built-in modules, with or without the node: prefix. */
const noNodeBuiltins = (message) => ({
  paths: nodeBuiltins.map((name) => ({ name, message })),
  patterns: [{ regex: '^node:', message }],
});

const restrictedImports = (...parts) => [
  'error',
  {
    paths: parts.flatMap((part) => part.paths ?? []),
    patterns: parts.flatMap((part) => part.patterns ?? []),
  },
];

export default defineConfig(
  globalIgnores([
    'out/',
    'node_modules/',
    'dist/',
    'release/',
    'coverage/',
    'test-results/',
    'playwright-report/',
    '.cache/',
    '.gl/',
    '.whl/',
    '.scratch/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,

  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // The plain rule cannot see `import type`; the TypeScript one below can.
      'no-restricted-imports': 'off',
    },
  },

  // Svelte components and rune modules: TypeScript inside, browser globals.
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    files: ['src-renderer/**'],
    // __APP_NAME__: the product name, defined at build time (electron.vite.config.ts).
    languageOptions: { globals: { ...globals.browser, __APP_NAME__: 'readonly' } },
    rules: {
      // Hash routes (#/runs) work the same from file:// and http; there is no SvelteKit here.
      'svelte/no-navigation-without-resolve': 'off',
    },
  },

  // Type-aware rules: a promise nobody awaits loses its rejection (a failed save, a dropped
  // request) without a trace. Where dropping one is meant, `void` says so. A promise returned
  // from inside try/finally without await lets the finally run first (a model disposed while
  // the returned work still reads it): return-await requires the await there.
  {
    files: ['**/*.ts', '**/*.svelte'],
    ignores: ['**/*.d.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
    },
  },

  // --- Which module may import what -------------------------------------------------------------
  {
    files: ['src-renderer/**/*.{ts,svelte}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports(
        noNodeBuiltins(
          'The renderer is sandboxed: no Node modules. Ask the main side through the API client.',
        ),
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer reaches Electron only through window.glif (the preload bridge).',
            },
            { name: 'better-sqlite3', message: 'The store belongs to the main side.' },
            { name: '@tensorflow/tfjs-node', message: 'Native TensorFlow runs on the main side only.' },
            { name: '@tensorflow/tfjs-node-gpu', message: 'Native TensorFlow runs on the main side only.' },
          ],
          patterns: [
            {
              regex: '(^|/)src-main/(?!contract(/|$))',
              message: 'The renderer may import only the contract (src-main/contract), and only its types.',
            },
            {
              regex: '(^|/)src-main/contract(/|$)',
              allowTypeImports: true,
              message:
                'Import only types from the contract (`import type`), via src-renderer/src/lib/api/contract.',
            },
          ],
        },
      ),
    },
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports(
        noNodeBuiltins('The contract is shared with the renderer: no Node modules.'),
        {
          paths: [{ name: 'electron', message: 'The contract is transport-independent: no Electron.' }],
          patterns: [
            {
              regex: '^\\.\\./',
              // The shapes it carries (configs, training events, store records) are defined once,
              // where they are produced; the contract re-exports their types and nothing else.
              allowTypeImports: true,
              message: 'The contract is a leaf: it may import types from the app, never values.',
            },
          ],
        },
      ),
    },
  },
  {
    files: ['src-main/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports({
        paths: [
          { name: 'electron', message: 'The engine runs without Electron (CLI, headless host, tests).' },
        ],
        patterns: [
          {
            // Relative imports only reach these folders by going up; `(.*/)?` also covers ../src-main/runs.
            regex: '^\\.\\.?/(.*/)?(runs|app|host)(/|$)',
            message:
              'The engine takes a config and an event sink; it never imports the store, the app shell or the host.',
          },
        ],
      }),
    },
  },
  {
    files: ['src-main/host/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports({
        paths: [
          {
            name: 'electron',
            allowTypeImports: true,
            message: 'The headless host and the CLI run in plain Node, where Electron cannot be loaded.',
          },
        ],
        patterns: [
          {
            regex: '^\\.\\.?/(.*/)?app(/|$)',
            message:
              'The hosts do not reach into each other: what both need belongs in src-main/service (createMainSide).',
          },
        ],
      }),
    },
  },
  {
    files: ['src-main/app/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports({
        patterns: [
          {
            regex: '^\\.\\.?/(.*/)?host(/|$)',
            message:
              'The hosts do not reach into each other: what both need belongs in src-main/service (createMainSide).',
          },
        ],
      }),
    },
  },
  {
    files: ['src-main/service/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports({
        paths: [
          {
            name: 'electron',
            message:
              'The service is transport-neutral: a host hands it what Electron gives (see HostDescription).',
          },
        ],
        patterns: [
          {
            regex: '^\\.\\.?/(.*/)?(app|host)(/|$)',
            message: 'The service serves both hosts and imports neither; they import it.',
          },
        ],
      }),
    },
  },

  // Tests may poke at internals with non-null assertions and throwaway fakes.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
