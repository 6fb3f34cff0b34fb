import { describe, expect, it } from 'vitest';
import { runColors } from '../../src-renderer/src/lib/charts/run-colors';
import {
  parseRunColorChoices,
  serializeRunColorChoices,
} from '../../src-renderer/src/lib/state/run-color-choices';

describe('picked run colours', () => {
  it('read back what was kept, lowercased', () => {
    const kept = serializeRunColorChoices(new Map([['r0mwt2xpy1io89vw', '#ff8800']]));
    expect(parseRunColorChoices(kept)).toEqual(new Map([['r0mwt2xpy1io89vw', '#ff8800']]));
    expect(parseRunColorChoices('{"r0mwt2xpy1io89vw":"#AABBCC"}').get('r0mwt2xpy1io89vw')).toBe('#aabbcc');
  });

  it('leave out anything malformed instead of failing the view', () => {
    for (const junk of [null, '', 'not json', '[]', '42', '{"r0mwt2xpy1io89vw": 5}']) {
      expect(parseRunColorChoices(junk).size).toBe(0);
    }
    const mixed = parseRunColorChoices(
      '{"r0mwt2xpy1io89vw":"#112233","../x":"#112233","r0mwt2xpy1io89vx":"red","r0mwt2xpy1io89vy":"#12345"}',
    );
    expect([...mixed.keys()]).toEqual(['r0mwt2xpy1io89vw']);
  });

  it('stand apart from the palette colour a run gets by creation order', () => {
    const colorOf = runColors(['a1b2c3', 'd4e5f6']);
    const picked = parseRunColorChoices('{"d4e5f6":"#00ff00"}');
    const shown = (id: string) => picked.get(id) ?? colorOf(id);
    expect(shown('d4e5f6')).toBe('#00ff00');
    expect(shown('a1b2c3')).toBe(colorOf('a1b2c3'));
  });
});
