import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src-main/engine/data/errors';
import { readTarMembers, type TarMember } from '../../src-main/engine/data/tar';
import { tarBytes, tarHeader } from '../helpers/data-files';

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function members(
  buf: Buffer,
  chunk: number,
  want: (n: string) => boolean = () => true,
): Promise<TarMember[]> {
  const out: TarMember[] = [];
  for await (const m of readTarMembers(chunks(buf, chunk), 'a.tar', want)) out.push(m);
  return out;
}

const bytes = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('streaming tar reader', () => {
  const archive = tarBytes([
    { name: 'dir/', type: 'directory' },
    { name: 'dir/a.bin', data: bytes(1000, 1) },
    { name: 'dir/empty.txt', data: new Uint8Array(0) },
    { name: 'dir/b.bin', data: bytes(512, 2) },
    { name: 'c.txt', data: bytes(3, 3) },
  ]);

  for (const chunk of [7, 512, 1 << 16]) {
    it(`reads every regular file with exact content (chunks of ${chunk} bytes)`, async () => {
      const got = await members(archive, chunk);
      expect(got.map((m) => m.name)).toEqual(['dir/a.bin', 'dir/empty.txt', 'dir/b.bin', 'c.txt']);
      expect(new Uint8Array(got[0].data)).toEqual(bytes(1000, 1));
      expect(got[1].data.length).toBe(0);
      expect(new Uint8Array(got[2].data)).toEqual(bytes(512, 2));
      expect(new Uint8Array(got[3].data)).toEqual(bytes(3, 3));
    });
  }

  it('keeps only wanted members and can stop early', async () => {
    const got = await members(archive, 100, (n) => n.endsWith('b.bin'));
    expect(got.map((m) => m.name)).toEqual(['dir/b.bin']);
    const first: string[] = [];
    for await (const m of readTarMembers(chunks(archive, 64), 'a.tar', () => true)) {
      first.push(m.name);
      break;
    }
    expect(first).toEqual(['dir/a.bin']);
  });

  it('applies GNU long names and pax path records to the next member', async () => {
    const long = `${'x'.repeat(120)}/member.bin`;
    const pax = Buffer.from('24 path=pax/renamed.bin\n');
    expect(pax.length).toBe(24); // the record length counts itself
    const t = tarBytes([
      { name: '././@LongLink', type: 'gnu-longname', data: Buffer.from(`${long}\0`) },
      { name: 'truncated-name', data: bytes(10, 4) },
      { name: 'PaxHeaders/x', type: 'pax', data: pax },
      { name: 'short', data: bytes(20, 5) },
    ]);
    const got = await members(t, 33);
    expect(got.map((m) => m.name)).toEqual([long, 'pax/renamed.bin']);
    expect(new Uint8Array(got[1].data)).toEqual(bytes(20, 5));
  });

  it('reports a header checksum mismatch with its offset', async () => {
    const bad = Buffer.from(archive);
    bad[512 + 10] ^= 0xff; // inside the name of the second header
    const err = await members(bad, 512).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).message).toBe(
      'a.tar: corrupt tar archive: header checksum mismatch at offset 512',
    );
  });

  it('says "not a tar file" when the first block is not a header', async () => {
    const err = await members(Buffer.alloc(1024, 0x41), 512).catch((e: unknown) => e);
    expect((err as DatasetError).problem).toMatch(
      /first header block has a wrong checksum \(not a tar file\?\)/,
    );
  });

  it('reports a truncated member: expected vs found bytes', async () => {
    const cut = archive.subarray(0, 512 + 512 + 300); // dir header, a.bin header, 300 of its 1000 bytes
    const err = await members(cut, 128).catch((e: unknown) => e);
    expect((err as DatasetError).message).toBe(
      'a.tar: truncated tar archive: member dir/a.bin expected 1000 bytes, found 300',
    );
  });

  it('rejects stray bytes that are not a whole header', async () => {
    const t = Buffer.concat([tarHeader('f', 0, 'file'), Buffer.alloc(100, 1)]);
    await expect(members(t, 64)).rejects.toThrow(/truncated tar archive: 100 stray bytes/);
  });
});
