/** The sources `from` (a file, or a folder ending in '/') names under `dir`, relative to it. */
export function sourceFiles(dir: string, from: string): string[];
/** SHA-256 (hex) of those sources, as scripts/build-simd.mjs records it in a module. */
export function sourceDigest(dir: string, from: string): string;
