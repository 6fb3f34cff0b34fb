import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the checkout (CI clones the project with shared/ beside it). */
export const sharedDir = process.env.GLIF_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const parityFixtureDir = path.join(sharedDir, 'fixtures/glif-parity');
export const glifBin = path.join(repoRoot, 'bin/glif.mjs');
