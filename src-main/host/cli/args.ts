import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors';

/**
 * `parseArgs` for a command: an unknown or malformed flag becomes a one-line CliError (exit 2)
 * followed by the command's help, never a stack trace.
 */
export function parseCliArgs<T extends ParseArgsConfig>(
  args: readonly string[],
  config: T,
  help?: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ ...config, args: [...args] });
  } catch (err) {
    const message = (err as Error).message;
    throw new CliError(help === undefined ? message : `${message}\n${help}`);
  }
}
