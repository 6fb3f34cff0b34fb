import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { EmitEvent } from '../../src-main/service/workbench';
import { Workbench } from '../../src-main/service/workbench';
import { RunStore } from '../../src-main/runs/store/run-store';

/**
 * A Workbench on a fresh SQLite file in a temporary folder. Call it while a test file or describe
 * block is collected (not inside a test): it registers an afterAll that closes the workbench and
 * removes its folder.
 */
export function testWorkbench(emit: EmitEvent = () => {}): Workbench {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-wb-'));
  const workbench = new Workbench(RunStore.open(path.join(dir, 'runs.sqlite')), dir, emit);
  afterAll(async () => {
    try {
      await workbench.close('test finished');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  return workbench;
}
