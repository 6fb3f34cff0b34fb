import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EmitEvent } from '../../src-main/host/workbench';
import { Workbench } from '../../src-main/host/workbench';
import { RunStore } from '../../src-main/runs/store/run-store';

/** A Workbench on a fresh SQLite file in a temporary folder. */
export function testWorkbench(emit: EmitEvent = () => {}): Workbench {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-wb-'));
  return new Workbench(RunStore.open(path.join(dir, 'runs.sqlite')), dir, emit);
}
