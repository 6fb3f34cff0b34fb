import { describe, expect, it } from 'vitest';
import { tooltipContent } from '../../src-renderer/src/lib/charts/tooltip-content';

const series = [
  { label: 'train · per step (smoothed)', color: '#8aa4c8', hidden: false },
  { label: 'p95', color: '#1d4f91', hidden: true },
  { label: 'test · per epoch', color: '#b35c00', hidden: false },
];
const fmt = (v: number) => v.toFixed(3);

describe('the chart tooltip', () => {
  it('names the x value and every shown series that has a value there', () => {
    expect(tooltipContent('step', '12', series, [0.51234, 0.9, 0.7], fmt)).toEqual({
      title: 'step 12',
      rows: [
        { label: 'train · per step (smoothed)', color: '#8aa4c8', value: '0.512' },
        { label: 'test · per epoch', color: '#b35c00', value: '0.700' },
      ],
    });
  });

  it('leaves out series without a value at that x, and says nothing where none has one', () => {
    const between = tooltipContent('step', '13', series, [0.5, 0.9, null], fmt);
    expect(between?.rows.map((r) => r.label)).toEqual(['train · per step (smoothed)']);
    expect(tooltipContent('step', '14', series, [null, 0.9, Number.NaN], fmt)).toBeNull();
  });

  it('titles the x value as the axis writes it', () => {
    expect(tooltipContent('time since start', '1:05', series, [1, null, null], fmt)?.title).toBe(
      'time since start 1:05',
    );
  });
});
