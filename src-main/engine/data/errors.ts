/**
 * A dataset file that cannot be used. `file` is the path the problem is about
 * (a directory when a file is missing from it, `archive.tar.gz:member` for a
 * tar member) and `problem` says what is wrong in words a user can act on.
 */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}

export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}
