import { parseCliArgs } from '../args';
import { toOutputJson } from '../../../contract/json-numbers';
import { ablationGroups, ablationSummary, type Spread } from '../../../service/ablation';
import { CliError } from '../errors';
import type { CliCommand } from '../command';
import { openReader } from '../store-access';
import { formatTable } from '../table';

const HELP = `Usage: glif ablation [--group <id>] [--epoch last|best] [--db path] [--json]

An ablation grid (runs tagged \`ablation\` and \`ablation-<id>\`: the app's Ablation view queues
them, a loop of \`glif train --tag ablation --tag ablation-<id>\` makes them) as the paper prints it:
one row per neuron variant, test accuracy as mean ± std over the seeds whose runs completed (the
sample std, n - 1), energy per test sample of the last test pass (SOPs at 0.9 pJ and MACs at
4.6 pJ, 45 nm), and training time per run.

Options:
  --group <id>        the grid (its ablation-<id> tag); default: the newest; --list shows them all
  --list              the grids in the database, newest first
  --epoch last|best   the last epoch's test accuracy (default) or the best over the epochs with
                      the epoch that reached it, as the authors' code reports a run
  --db <path>         run database (default: the desktop app's)
  --json              the rows as JSON`;

const pm = (s: Spread | null, scale: number, digits: number): string =>
  s === null
    ? '-'
    : `${(s.mean * scale).toFixed(digits)}${s.std === null ? '' : ` ± ${(s.std * scale).toFixed(digits)}`}`;

export const ablationCommand: CliCommand = {
  summary: 'an ablation grid as the paper prints it: mean ± std over seeds per variant',
  async run(args) {
    const o = parseCliArgs(args, {
      allowPositionals: false,
      options: {
        group: { type: 'string' },
        list: { type: 'boolean' },
        epoch: { type: 'string' },
        db: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
    if (o.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const pick = o.epoch ?? 'last';
    if (pick !== 'last' && pick !== 'best') throw new CliError(`--epoch: 'last' or 'best', not '${pick}'`);
    const { reader, dbPath } = openReader(o.db);
    try {
      const runs = reader.listRuns({ tags: ['ablation'], sort: { by: 'createdAt', direction: 'asc' } });
      const groups = ablationGroups(runs);
      if (o.list) {
        if (o.json) process.stdout.write(toOutputJson(groups) + '\n');
        else if (groups.length === 0) process.stdout.write(`no ablation grids in ${dbPath}\n`);
        else
          process.stdout.write(
            formatTable(
              ['grid', 'preset', 'seeds', 'runs'],
              groups.map((g) => [g.groupId, g.preset, g.seeds.join(', '), String(g.runIds.length)]),
            ) + '\n',
          );
        return 0;
      }
      const group = o.group === undefined ? groups[0] : groups.find((g) => g.groupId === o.group);
      if (!group)
        throw new CliError(
          o.group === undefined
            ? `no ablation grids in ${dbPath}`
            : `no grid '${o.group}' in ${dbPath}; grids: ${groups.map((g) => g.groupId).join(', ') || 'none'}`,
        );
      const ids = new Set(group.runIds);
      const rows = ablationSummary(
        runs.filter((r) => ids.has(r.id)),
        pick,
      );
      if (o.json) {
        process.stdout.write(toOutputJson({ ...group, epoch: pick, rows }) + '\n');
        return 0;
      }
      process.stdout.write(
        `grid ${group.groupId}: preset ${group.preset}, seeds ${group.seeds.join(', ')}, ${group.runIds.length} runs (${dbPath})\n` +
          formatTable(
            [
              'variant',
              'neuron',
              `test acc, % (${pick} epoch)`,
              ...(pick === 'best' ? ['best epochs'] : []),
              'µJ/sample',
              'time per run, s',
              'completed',
            ],
            rows.map((r) => [
              r.variant,
              r.label,
              pm(r.accuracy, 100, 2),
              ...(pick === 'best' ? [r.bestEpochs.join(', ') || '-'] : []),
              pm(r.energyMicrojoules, 1, 2),
              pm(r.seconds, 1, 1),
              `${r.completed}${r.notCompleted > 0 ? ` (+${r.notCompleted} not)` : ''}`,
            ]),
          ) +
          '\n',
      );
      return 0;
    } finally {
      reader.close();
    }
  },
};
