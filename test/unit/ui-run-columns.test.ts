import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src-renderer/src/lib/api/contract';
import {
  COLUMNS_STORAGE_KEY,
  MAX_COLUMNS,
  parseColumnChoice,
  serializeColumnChoice,
  toggleColumn,
} from '../../src-renderer/src/lib/state/column-choice';
import {
  columnHeading,
  columnValue,
  configPaths,
  DEFAULT_COLUMNS,
  formatConfigValue,
  isColumnKey,
  isNumericColumn,
  matchesSearch,
  needsConfigs,
  type ColumnKey,
  type ConfigLookup,
} from '../../src-renderer/src/lib/state/run-columns';
import { formatResult, RESULT_COLUMNS } from '../../src-renderer/src/lib/state/result-columns';
import { sortRuns, variantNamer } from '../../src-renderer/src/lib/state/run-table';
import { runSummary } from '../helpers/run-summary';

const a = runSummary({
  id: 'runa',
  name: 'a',
  createdAt: 1,
  columns: { lr: 0.1, variant: 'glif' },
  finals: { finalTestAccuracy: 0.9, finalTestLoss: 0.3 },
});
const b = runSummary({
  id: 'runb',
  name: 'b',
  createdAt: 2,
  columns: { lr: 0.05, variant: 'simplex-101' },
  finals: { finalTestAccuracy: null, finalTestLoss: 1.2 },
});
const c = runSummary({
  id: 'runc',
  name: 'c',
  createdAt: 3,
  columns: { lr: 0.2, variant: 'glif' },
  finals: { finalTestAccuracy: 0.7, finalTestLoss: null },
});
const d = runSummary({ id: 'rund', name: 'd', createdAt: 4, backend: null });

const configs = new Map<string, ReadonlyMap<string, JsonValue>>([
  [
    'runa',
    new Map<string, JsonValue>([
      ['data.trainLimit', 512],
      ['neuron.init', 'paper'],
      ['model.mlpHidden', [64, 32]],
      ['data.augment', false],
    ]),
  ],
  [
    'runb',
    new Map<string, JsonValue>([
      ['data.trainLimit', 64],
      ['neuron.init', 'Constant'],
      ['model.mlpHidden', [128]],
      ['data.augment', true],
    ]),
  ],
  // runc's config holds no trainLimit (null: the whole set); rund's was not read yet.
  [
    'runc',
    new Map<string, JsonValue>([
      ['data.trainLimit', null],
      ['neuron.init', 'gaussian'],
    ]),
  ],
]);
const configOf: ConfigLookup = (runId) => configs.get(runId);
const namer = variantNamer([]);
const runs = [a, b, c, d];
const names = (sorted: readonly { name: string }[]) => sorted.map((run) => run.name);

describe('column values', () => {
  it('reads config paths from the configs, indexed ones from the summary, results from the finals', () => {
    expect(columnValue(a, 'config:data.trainLimit', configOf)).toBe(512);
    expect(columnValue(d, 'config:data.trainLimit', configOf)).toBeUndefined();
    // Indexed: known without any config read.
    expect(columnValue(d, 'config:train.lr', () => undefined)).toBe(0.1);
    expect(columnValue(b, 'result:testLoss', configOf)).toBe(1.2);
    expect(columnValue(d, 'result:backend', configOf)).toBeNull();
  });

  it('formats numbers, text, booleans, lists and missing values for a cell', () => {
    expect(formatConfigValue(5e-5)).toBe('5e-5');
    expect(formatConfigValue([64, 32])).toBe('64, 32');
    expect(formatConfigValue(false)).toBe('false');
    expect(formatConfigValue(null)).toBe('—');
    expect(formatConfigValue(undefined)).toBe('—');
    const column = (id: string) => RESULT_COLUMNS.find((col) => col.id === id)!;
    expect(formatResult(column('testAccuracy'), 0.8534)).toBe('85.3 %');
    expect(formatResult(column('testLoss'), 2.302585)).toBe('2.303');
    expect(formatResult(column('energySops'), 1_234_567)).toBe('1.23 M');
    expect(formatResult(column('durationMs'), 4200)).toBe('4.2 s');
    expect(formatResult(column('backend'), 'wasm')).toBe('wasm');
    expect(formatResult(column('testLoss'), null)).toBe('—');
  });

  it('heads a config column with its last key over its section, results with their unit', () => {
    expect(columnHeading('config:data.trainLimit', true)).toEqual({
      label: 'trainLimit',
      sub: 'data',
      title: 'data.trainLimit',
      numeric: true,
    });
    expect(columnHeading('config:model.timeSteps', true).label).toBe('T');
    expect(columnHeading('result:energySops', false)).toMatchObject({
      label: 'SOPs',
      sub: 'per sample',
      numeric: true,
    });
    expect(columnHeading('result:energyMicrojoules', false)).toMatchObject({
      label: 'Energy',
      sub: 'µJ/sample',
      numeric: true,
    });
    expect(isNumericColumn(runs, 'config:data.trainLimit', configOf)).toBe(true);
    expect(isNumericColumn(runs, 'config:neuron.init', configOf)).toBe(false);
  });
});

describe('sorting by a chosen column', () => {
  it('sorts numbers numerically, missing values last in both directions', () => {
    const asc = sortRuns(runs, { column: 'config:data.trainLimit', direction: 'asc' }, namer, configOf);
    expect(names(asc)).toEqual(['b', 'a', 'd', 'c']);
    const desc = sortRuns(runs, { column: 'config:data.trainLimit', direction: 'desc' }, namer, configOf);
    // 512 > 64 numerically (as text "64" would come after "512").
    expect(names(desc)).toEqual(['a', 'b', 'd', 'c']);
  });

  it('sorts text alphabetically without regard to case', () => {
    const asc = sortRuns(runs, { column: 'config:neuron.init', direction: 'asc' }, namer, configOf);
    expect(names(asc)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('sorts results and lists, and booleans false before true', () => {
    const loss = sortRuns(runs, { column: 'result:testLoss', direction: 'asc' }, namer, configOf);
    expect(names(loss).slice(0, 2)).toEqual(['a', 'b']);
    const augment = sortRuns(runs, { column: 'config:data.augment', direction: 'asc' }, namer, configOf);
    expect(names(augment).slice(0, 2)).toEqual(['a', 'b']);
    const hidden = sortRuns(runs, { column: 'config:model.mlpHidden', direction: 'asc' }, namer, configOf);
    // Lists compare as text with numbers in it read as numbers: [64, 32] before [128].
    expect(names(hidden).slice(0, 2)).toEqual(['a', 'b']);
  });

  it('sorts by config paths before any config is read, by the indexed values', () => {
    const lr = sortRuns(runs, { column: 'config:train.lr', direction: 'asc' }, namer);
    expect(names(lr)).toEqual(['b', 'd', 'a', 'c']);
  });
});

describe('the config paths the picker offers', () => {
  it('lists every path of the runs sorted, with how many values each takes', () => {
    const paths = configPaths(runs, configOf);
    expect(paths.map((p) => p.path)).toEqual([
      'data.augment',
      'data.dataset',
      'data.trainLimit',
      'model.arch',
      'model.mlpHidden',
      'model.timeSteps',
      'neuron.init',
      'neuron.layerwise',
      'neuron.variant',
      'train.batchSize',
      'train.epochs',
      'train.lr',
      'train.seed',
    ]);
    const distinct = Object.fromEntries(paths.map((p) => [p.path, p.distinct]));
    expect(distinct['data.trainLimit']).toBe(3);
    expect(distinct['train.lr']).toBe(3);
    expect(distinct['data.dataset']).toBe(1);
  });

  it('knows which choices need the configs read', () => {
    expect(needsConfigs(DEFAULT_COLUMNS)).toBe(false);
    expect(needsConfigs([...DEFAULT_COLUMNS, 'config:data.trainLimit'])).toBe(true);
  });

  it('matches a search word by word, without case', () => {
    expect(matchesSearch('data.trainLimit', 'TRAIN data')).toBe(true);
    expect(matchesSearch('data.trainLimit', 'test')).toBe(false);
    expect(matchesSearch('anything', '  ')).toBe(true);
  });
});

describe('the kept choice of columns', () => {
  it('round-trips through storage text', () => {
    const keys: ColumnKey[] = ['result:testLoss', 'config:data.trainLimit'];
    expect(parseColumnChoice(serializeColumnChoice(keys))).toEqual(keys);
    expect(COLUMNS_STORAGE_KEY).toBe('glif.runs.columns');
  });

  it('falls back to the defaults for nothing stored or text it cannot read', () => {
    for (const text of [null, undefined, '', '{', '{"a":1}', '"x"', '["result:nope", 4]']) {
      expect(parseColumnChoice(text)).toEqual(DEFAULT_COLUMNS);
    }
  });

  it('keeps an empty choice, drops unknown keys and duplicates, caps the length', () => {
    expect(parseColumnChoice('[]')).toEqual([]);
    expect(
      parseColumnChoice(
        JSON.stringify([
          'config:train.lr',
          'result:gone',
          'config:../x',
          'config:train.lr',
          'result:testLoss',
        ]),
      ),
    ).toEqual(['config:train.lr', 'result:testLoss']);
    const many = Array.from({ length: 80 }, (_, i) => `config:k${i}`);
    expect(parseColumnChoice(JSON.stringify(many))).toHaveLength(MAX_COLUMNS);
    expect(isColumnKey('config:layers.0.channels')).toBe(true);
    expect(isColumnKey('config:')).toBe(false);
    expect(isColumnKey('result:__proto__')).toBe(false);
  });

  it('adds a column at the end and removes it', () => {
    const added = toggleColumn(['result:testLoss'], 'config:data.trainLimit', true);
    expect(added).toEqual(['result:testLoss', 'config:data.trainLimit']);
    expect(toggleColumn(added, 'config:data.trainLimit', true)).toBe(added);
    expect(toggleColumn(added, 'result:testLoss', false)).toEqual(['config:data.trainLimit']);
  });
});
