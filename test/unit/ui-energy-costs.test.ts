import { describe, expect, it } from 'vitest';
import { PICOJOULES_PER_OPERATION as ENGINE } from '../../src-main/engine/train/energy';
import {
  ENERGY_PER_SAMPLE,
  ENERGY_TOOLTIP,
  PICOJOULES_PER_OPERATION,
} from '../../src-renderer/src/lib/state/energy-costs';

describe("the UI's energy figures", () => {
  it("are the engine's, and the texts say them", () => {
    expect(PICOJOULES_PER_OPERATION).toEqual(ENGINE);
    expect(ENERGY_PER_SAMPLE).toBe(
      'µJ per test sample, from SOPs (0.9 pJ each) and MACs (4.6 pJ each) at 45 nm, Horowitz ISSCC 2014',
    );
    expect(ENERGY_TOOLTIP).toContain(`(${ENGINE.sop} pJ each)`);
    expect(ENERGY_TOOLTIP).toContain(`(${ENGINE.mac} pJ each)`);
  });
});
