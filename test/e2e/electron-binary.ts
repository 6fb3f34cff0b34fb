import fs from 'node:fs';
import { createRequire } from 'node:module';

/** Path of the downloaded Electron binary, or null where it could not be fetched (as offline). */
export function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkgDir = require.resolve('electron/package.json').replace(/package\.json$/, '');
    const pathFile = `${pkgDir}path.txt`;
    if (!fs.existsSync(pathFile)) return null;
    const binary = `${pkgDir}dist/${fs.readFileSync(pathFile, 'utf8').trim()}`;
    return fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
