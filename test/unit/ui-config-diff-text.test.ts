import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS } from '../../src-main/engine/config/fields';
import { describeVariant, VARIANT_IDS } from '../../src-main/engine/glif/variants';
import { configDiffText, NOT_SET } from '../../src-renderer/src/lib/state/config-diff-text';
import { emptyText } from '../../src-renderer/src/lib/state/config-form';
import { variantNamer } from '../../src-renderer/src/lib/state/run-table';

// The fields as `config.schema` sends them (the workbench hands over this table as it is).
const fields = CONFIG_FIELDS;
const nameVariant = variantNamer(VARIANT_IDS.map(describeVariant));
const text = (path: string, value: Parameters<typeof configDiffText>[3]): string =>
  configDiffText(fields, nameVariant, path, value);

describe('config diff cells', () => {
  it('shows a stored null in the words the form uses for an empty field, never "null"', () => {
    expect(text('data.trainLimit', null)).toBe('all');
    expect(text('data.testLimit', null)).toBe('all');
    expect(text('data.path', null)).toBe('default');
    expect(text('train.scheduleTMax', null)).toBe('not used');
    for (const field of fields.filter((candidate) => candidate.nullable)) {
      expect(text(field.key, null)).toBe(emptyText(field));
      expect(text(field.key, null)).not.toBe('null');
    }
  });

  it('gives every nullable field its own wording', () => {
    for (const field of fields.filter((candidate) => candidate.nullable)) {
      expect(field.emptyLabel, field.key).toBeTruthy();
    }
  });

  it('keeps a null of a key the form does not show readable', () => {
    expect(text('model.somethingInternal', null)).toBe('empty');
  });

  it('tells a key a config lacks from a null, and names variants', () => {
    expect(text('data.trainLimit', undefined)).toBe(NOT_SET);
    expect(text('data.trainLimit', 512)).toBe('512');
    expect(text('train.lr', 0.00030995049003826325)).toBe('3.0995e-4');
    expect(text('neuron.variant', 'glif')).toMatch(/^glif — /);
    expect(text('data.dataset', 'synthetic')).toBe('synthetic');
    expect(text('model.hidden', [64, 32])).toBe('[64,32]');
  });
});
