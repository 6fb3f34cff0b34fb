/**
 * What every `glif` sub-command is. Its own module so that main.ts imports the commands and the
 * commands import only this, not main.ts (which would close an import circle).
 */
export interface CliCommand {
  readonly summary: string;
  /** Parses the command's own arguments and runs it; resolves to the process exit code. */
  run(args: readonly string[]): Promise<number>;
}
