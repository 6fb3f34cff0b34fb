/**
 * An error the user caused (bad flag, bad file, bad value). The CLI prints its
 * message as one line, without a stack trace, and exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
