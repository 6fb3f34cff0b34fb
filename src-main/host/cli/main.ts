import type { CliCommand } from './command';
import { CliError, storeFailureLine } from './errors';

// Commands are loaded lazily so `glif --help` does not pay for TensorFlow.js start-up.
const commands: Record<string, () => Promise<CliCommand>> = {
  parity: async () => (await import('./commands/parity')).parityCommand,
  info: async () => (await import('./commands/info')).infoCommand,
  train: async () => (await import('./commands/train')).trainCommand,
  runs: async () => (await import('./commands/runs')).runsCommand,
  ablation: async () => (await import('./commands/ablation')).ablationCommand,
  serve: async () => (await import('./commands/serve')).serveCommand,
  probe: async () => (await import('./commands/probe')).probeCommand,
};

function usage(): string {
  const lines = ['Usage: glif <command> [options]', '', 'Commands:'];
  for (const name of Object.keys(commands)) lines.push(`  ${name}`);
  lines.push('', 'Run `glif <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`glif: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  try {
    const command = await load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`glif ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    const storeFailure = storeFailureLine(err);
    if (storeFailure !== null && !process.env.GLIF_DEBUG) {
      process.stderr.write(`glif ${name}: ${storeFailure}\n`);
      return 1;
    }
    throw err;
  }
}
