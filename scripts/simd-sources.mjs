// Which C sources a SIMD module is built from, and their digest: scripts/build-simd.mjs writes the
// digest into the module's .wasm.ts, and a unit test recomputes it, so a C file edited without
// rebuilding fails the suite.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sources `from` names under `dir`: one file, or (ending in '/') every .c and .h file of that
 * folder, sorted by name; paths relative to `dir`.
 */
export function sourceFiles(dir, from) {
  if (!statSync(join(dir, from)).isDirectory()) return [from];
  const folder = from.endsWith('/') ? from : `${from}/`;
  return readdirSync(join(dir, folder))
    .filter((f) => /\.[ch]$/.test(f))
    .sort()
    .map((f) => folder + f);
}

/**
 * SHA-256 (hex) of the sources: of the file's bytes for one file (what `sha256sum` prints), and
 * for a folder of each file's relative path, a newline, its bytes and a NUL, in name order, so
 * that renaming, adding or removing a file changes it too.
 */
export function sourceDigest(dir, from) {
  const files = sourceFiles(dir, from);
  const hash = createHash('sha256');
  if (files.length === 1 && files[0] === from)
    return hash.update(readFileSync(join(dir, from))).digest('hex');
  for (const f of files)
    hash
      .update(`${f}\n`)
      .update(readFileSync(join(dir, f)))
      .update('\0');
  return hash.digest('hex');
}
