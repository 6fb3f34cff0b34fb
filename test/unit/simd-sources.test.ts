import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceDigest, sourceFiles } from '../../scripts/simd-sources.mjs';

// The digest a SIMD module records of its C sources: the suite compares it with the tree's, so it
// must change with any edit, addition, removal or rename of a source, and with nothing else.
describe("the digest of a SIMD module's sources", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'glif-simd-src-'));
    mkdirSync(join(dir, 'k'));
    writeFileSync(join(dir, 'k', 'b.c'), 'int b;\n');
    writeFileSync(join(dir, 'k', 'a.h'), '#define A 1\n');
    writeFileSync(join(dir, 'one.c'), 'int one;\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("of one file is the file's SHA-256", () => {
    expect(sourceFiles(dir, 'one.c')).toEqual(['one.c']);
    expect(sourceDigest(dir, 'one.c')).toBe(createHash('sha256').update('int one;\n').digest('hex'));
  });

  it('of a folder covers its .c and .h files in name order, and nothing else', () => {
    writeFileSync(join(dir, 'k', 'notes.txt'), 'not a source');
    expect(sourceFiles(dir, 'k/')).toEqual(['k/a.h', 'k/b.c']);
    const before = sourceDigest(dir, 'k/');
    writeFileSync(join(dir, 'k', 'notes.txt'), 'edited, still not a source');
    expect(sourceDigest(dir, 'k/')).toBe(before);
  });

  it('changes when a source is edited, added, removed or renamed', () => {
    const seen = new Set([sourceDigest(dir, 'k/')]);
    const changed = () => {
      const d = sourceDigest(dir, 'k/');
      expect(seen.has(d)).toBe(false);
      seen.add(d);
    };
    writeFileSync(join(dir, 'k', 'b.c'), 'int b, c;\n');
    changed();
    writeFileSync(join(dir, 'k', 'c.c'), '');
    changed();
    rmSync(join(dir, 'k', 'c.c'));
    expect(sourceDigest(dir, 'k/')).toBe([...seen][1]);
    renameSync(join(dir, 'k', 'b.c'), join(dir, 'k', 'z.c'));
    changed();
  });
});
