import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the checkout (CI clones the project with shared/ beside it). */
export const sharedDir = process.env.GLIF_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
/** A copy of the authors' parity fixtures kept in the repo, so a clone anywhere runs the parity tests. */
export const vendoredParityFixtureDir = path.join(repoRoot, 'test/fixtures/glif-parity');
/** The authors' parity fixtures in ../shared: the source of truth the in-repo copy was taken from. */
export const sharedParityFixtureDir = path.join(sharedDir, 'fixtures/glif-parity');
/** Whether ../shared's parity fixtures are there (always in CI; maybe not in a clone elsewhere). */
export const sharedParityPresent = fs.existsSync(sharedParityFixtureDir);
/** The shared fixtures where they are beside the checkout (the source of truth), else the copy. */
export const parityFixtureDir = sharedParityPresent ? sharedParityFixtureDir : vendoredParityFixtureDir;
export const glifBin = path.join(repoRoot, 'bin/glif.mjs');
