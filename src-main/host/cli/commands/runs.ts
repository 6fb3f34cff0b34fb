import { parseCliArgs } from '../args';
import { existsSync, writeFileSync } from 'node:fs';
import { describeVariant, isVariantId } from '../../../engine/glif/variants';
import { exportRun } from '../../../runs/store/export';
import { RunStoreError } from '../../../runs/store/errors';
import { withLiveness } from '../../../runs/store/liveness';
import type { RunStatus, RunStoreReader, RunSummary } from '../../../runs/store/types';
import { CliError } from '../errors';
import type { CliCommand } from '../command';
import { openReader, resolveDb } from '../store-access';
import { fmtBest, fmtConfigValue, fmtNum, fmtPct, fmtSeconds, formatTable } from '../table';
import { toOutputJson } from '../../../contract/json-numbers';
import { describeAdapter } from '../../../engine/webgpu/adapters';
import { IMPORT_HELP, importRun } from './runs-import';

const HELP = `Usage: glif runs <list|show|compare|export|import> [options]

  glif runs list [--status s] [--search text] [--limit n]   every run, newest first
  glif runs show <id>                                       one run: config, finals, checkpoints
  glif runs compare <id> <id>...                            config keys that differ, finals side by side
  glif runs export <id> --format csv|json [--out file]      tidy metrics and distributions (csv) or all (json)
  glif runs import <events.jsonl> [--follow]                a torch run trained elsewhere (a cluster), from its events file

Each takes --db <path> (default: the desktop app's database) and --json.`;

function variantLabel(v: string | null): string {
  return v && isVariantId(v) ? describeVariant(v).label : (v ?? '-');
}

const fmtCount = (n: number | null): string => (n === null ? '-' : Math.round(n).toLocaleString('en'));
const fmtMicrojoules = (uj: number | null): string => (uj === null ? '-' : uj.toPrecision(3));

/**
 * Test accuracy of the last epoch, then the best over the epochs with its (1-based) epoch, as the
 * paper reports a run. Energy per sample: SOPs and MACs of the last test pass, and both at the
 * 45 nm figures (energy.ts).
 */
const RUN_HEADER = [
  'id',
  'name',
  'status',
  'preset',
  'neuron',
  'T',
  'test acc',
  'best (ep)',
  'SOPs/sample',
  'MACs/sample',
  'µJ/sample',
  'time',
  'tags',
];

function runRow(r: RunSummary): string[] {
  return [
    r.id,
    r.name,
    r.status,
    r.preset ?? '-',
    `${variantLabel(r.columns.variant)}${r.columns.layerwise ? ' (layer-wise)' : ''}`,
    `T=${r.columns.timeSteps ?? '-'}`,
    fmtPct(r.finals.finalTestAccuracy),
    fmtBest(r.progress.bestTestAccuracy, r.progress.bestEpoch, true),
    fmtCount(r.finals.energySops),
    fmtCount(r.finals.energyMacs),
    fmtMicrojoules(r.finals.energyMicrojoules),
    fmtSeconds(r.durationMs),
    r.tags.join(','),
  ];
}

function requireRun(store: RunStoreReader, id: string | undefined) {
  if (!id) throw new CliError('a run id is required');
  const run = store.getRun(id);
  if (!run) throw new CliError(`no run '${id}' in this database`);
  return withLiveness(run);
}

/**
 * Runs by status as the next writer will record them. These commands only read, so a run
 * whose process died still reads `running` in the file: ask for both, filter what is shown.
 */
function listRuns(store: RunStoreReader, query: { status?: RunStatus; search?: string; limit?: number }) {
  const { status, search, limit } = query;
  if (status !== 'running' && status !== 'interrupted') {
    return store.listRuns({ status, search, limit }).map((r) => withLiveness(r));
  }
  const runs = store
    .listRuns({ status: ['running', 'interrupted'], search })
    .map((r) => withLiveness(r))
    .filter((r) => r.status === status);
  return limit === undefined ? runs : runs.slice(0, limit);
}

export const runsCommand: CliCommand = {
  summary: 'list, show, compare and export recorded runs',
  async run(args) {
    const parsed = parseCliArgs(
      args,
      {
        allowPositionals: true,
        options: {
          db: { type: 'string' },
          json: { type: 'boolean' },
          status: { type: 'string' },
          search: { type: 'string' },
          limit: { type: 'string' },
          format: { type: 'string' },
          out: { type: 'string' },
          follow: { type: 'boolean' },
          name: { type: 'string' },
          tag: { type: 'string', multiple: true },
          help: { type: 'boolean', short: 'h' },
        },
      },
      HELP,
    );
    const [sub, ...ids] = parsed.positionals;
    const o = parsed.values;
    if (o.help || !sub) {
      process.stdout.write(HELP + '\n');
      return o.help ? 0 : 2;
    }
    if (!['list', 'show', 'compare', 'export', 'import'].includes(sub))
      throw new CliError(`unknown subcommand '${sub}'\n${HELP}`);
    if (sub === 'import') {
      if (ids.length > 1) throw new CliError(`one events file at a time\n${IMPORT_HELP}`);
      return importRun(ids[0], o);
    }
    const print = (text: string) => process.stdout.write(text + '\n');
    const noRunsYet = 'no runs yet: start one with `glif train --preset fmnist-cnn`';
    // A fresh install has no database at the default place yet: nothing to list, not an error.
    if (sub === 'list' && o.db === undefined && !existsSync(resolveDb(undefined).dbPath)) {
      print(o.json ? '[]' : noRunsYet);
      return 0;
    }
    const { reader: store } = openReader(o.db);
    try {
      switch (sub) {
        case 'list': {
          const limit = o.limit ? Number(o.limit) : undefined;
          if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
            throw new CliError(`--limit: expected a positive integer, got '${o.limit}'`);
          const runs = listRuns(store, {
            status: o.status as RunStatus | undefined,
            search: o.search,
            limit,
          });
          if (o.json) print(toOutputJson(runs));
          else if (runs.length === 0) print(noRunsYet);
          else print(formatTable(RUN_HEADER, runs.map(runRow)));
          return 0;
        }
        case 'show': {
          const run = requireRun(store, ids[0]);
          // The trainer keeps only the newest checkpoint files; the rows of pruned ones stay (with
          // their checksums), but only files on disk can be resumed from or loaded.
          const recorded = store.getCheckpoints(run.id);
          const checkpoints = recorded.filter((c) => existsSync(c.path));
          const pruned = recorded.length - checkpoints.length;
          if (o.json) {
            const metrics = store.getMetricNames(run.id);
            print(toOutputJson({ ...run, checkpoints, prunedCheckpoints: pruned, metrics }));
            return 0;
          }
          print(formatTable(RUN_HEADER, [runRow(run)]));
          print('');
          print(
            `backend: ${run.backend ?? '-'}${run.requestedBackend ? ` (requested: ${run.requestedBackend})` : ''}   threads: ${run.threads ?? '-'}   neuron: ${run.neuronImpl ?? '-'}   created: ${new Date(run.createdAt).toISOString()}`,
          );
          if (run.progress.bestTestAccuracy !== null)
            print(
              `best: test acc ${fmtPct(run.progress.bestTestAccuracy)} at epoch ${run.progress.bestEpoch ?? '-'}`,
            );
          if (run.adapter) print(`adapter: ${describeAdapter(run.adapter)}`);
          if (run.error) print(`error: ${run.error}`);
          print(
            `final: test acc ${fmtPct(run.finals.finalTestAccuracy)}, test loss ${fmtNum(run.finals.finalTestLoss)}, ` +
              `train acc ${fmtPct(run.finals.finalTrainAccuracy)}, train loss ${fmtNum(run.finals.finalTrainLoss)}`,
          );
          if (run.notes) print(`notes: ${run.notes}`);
          print('\nconfig:');
          print(toOutputJson(run.config));
          print(`\ncheckpoints: ${checkpoints.length === 0 ? 'none' : ''}`);
          for (const c of checkpoints)
            print(
              `  epoch ${c.epoch + 1}  step ${c.step}  ${c.path}  sha256 ${c.sha256.slice(0, 16)}...  ${c.bytes} bytes`,
            );
          if (pruned > 0) print(`  (${pruned} older checkpoint${pruned === 1 ? '' : 's'} pruned from disk)`);
          return 0;
        }
        case 'compare': {
          if (ids.length < 2) throw new CliError('compare needs at least two run ids');
          for (const id of ids) requireRun(store, id);
          const compared = store.compareRuns(ids);
          const cmp = { ...compared, runs: compared.runs.map((r) => withLiveness(r)) };
          if (o.json) {
            print(toOutputJson(cmp));
            return 0;
          }
          print('config keys that differ:');
          print(
            cmp.configDiff.length === 0
              ? '  (none: the configs are identical)'
              : formatTable(
                  ['key', ...ids],
                  cmp.configDiff.map((d) => [
                    d.path,
                    ...ids.map((id) => fmtConfigValue(d.path, d.values[id])),
                  ]),
                ),
          );
          print('\nfinal metrics:');
          const rows: Array<[string, (f: (typeof cmp.finals)[number]) => string]> = [
            ['test accuracy', (f) => fmtPct(f.finalTestAccuracy)],
            ['best test accuracy', (f) => fmtBest(f.bestTestAccuracy, f.bestEpoch)],
            ['test loss', (f) => fmtNum(f.finalTestLoss)],
            ['train accuracy', (f) => fmtPct(f.finalTrainAccuracy)],
            ['train loss', (f) => fmtNum(f.finalTrainLoss)],
            ['SOPs/sample', (f) => fmtCount(f.energySops)],
            ['MACs/sample', (f) => fmtCount(f.energyMacs)],
            ['energy µJ/sample', (f) => fmtMicrojoules(f.energyMicrojoules)],
            ['time', (f) => fmtSeconds(f.durationMs)],
          ];
          print(
            formatTable(
              ['metric', ...ids],
              rows.map(([name, get]) => [name, ...cmp.finals.map(get)]),
            ),
          );
          return 0;
        }
        case 'export': {
          const run = requireRun(store, ids[0]);
          const format = o.format ?? (o.json ? 'json' : undefined);
          if (format !== 'csv' && format !== 'json')
            throw new CliError(`--format: expected csv or json, got '${format ?? ''}'`);
          const text = exportRun(store, run.id, format);
          if (o.out) {
            writeFileSync(o.out, text);
            process.stderr.write(`wrote ${o.out}\n`);
          } else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
          return 0;
        }
      }
      return 2;
    } catch (err) {
      if (err instanceof RunStoreError) throw new CliError(err.message);
      throw err;
    } finally {
      store.close();
    }
  },
};
