import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { APP_NAME } from './src-main/contract/app-name';

const root = import.meta.dirname;

/**
 * Pure-JS TensorFlow.js is bundled into the main build (about 0.7 MB) instead of shipping
 * node_modules/@tensorflow in the asar (about 284 MB). zod is small and bundled too. Native modules
 * stay external: better-sqlite3 always, tfjs-node(-gpu) when the user has enabled them, and webgpu
 * (Dawn) with its dawn.node.
 */
const BUNDLED_DEPENDENCIES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'zod',
];
// `webgpu` loads its platform's dawn.node by a computed path: it stays a package (electron-builder.yml).
const NATIVE_DEPENDENCIES = [
  'better-sqlite3',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'webgpu',
  // libvips through a prebuilt addon per platform (image folders).
  'sharp',
];

/**
 * The wasm backend, once bundled, can no longer find its .wasm files next to its own module; they are
 * copied to out/main/wasm/ so the engine can point `setWasmPaths` there.
 */
function copyTfjsWasmBinaries(): Plugin {
  return {
    name: 'glif:copy-tfjs-wasm',
    apply: 'build',
    writeBundle(options) {
      const source = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
      const target = join(options.dir ?? join(root, 'out/main'), 'wasm');
      mkdirSync(target, { recursive: true });
      for (const file of readdirSync(source).filter((name) => name.endsWith('.wasm'))) {
        copyFileSync(join(source, file), join(target, file));
      }
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { exclude: BUNDLED_DEPENDENCIES, include: NATIVE_DEPENDENCIES },
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main/app/main.ts'),
          // The training worker runs in its own utility process.
          'train-worker': resolve(root, 'src-main/runs/worker/train-worker.ts'),
          // Each data-parallel replica of a training run is a worker thread of that process.
          'replica-worker': resolve(root, 'src-main/engine/parallel/replica-worker.ts'),
          // Neuron probes run in a worker thread of the main process, off its event loop.
          'probe-worker': resolve(root, 'src-main/engine/probe/probe-worker.ts'),
        },
      },
    },
    plugins: [copyTfjsWasmBinaries()],
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be CommonJS; with "type": "module" that means the .cjs extension.
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/app/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: resolve(root, 'src-renderer/index.html'),
      },
    },
    // The renderer may import only types from the contract, so the product name reaches it at
    // build time: as a constant in code and in the page title.
    define: { __APP_NAME__: JSON.stringify(APP_NAME) },
    plugins: [
      svelte(),
      {
        name: 'glif-app-name',
        transformIndexHtml: (html: string) => html.replaceAll('%APP_NAME%', APP_NAME),
      },
    ],
  },
});
