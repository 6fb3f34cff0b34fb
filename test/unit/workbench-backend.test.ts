import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { testWorkbench } from '../helpers/workbench';

describe('Workbench.backendReport (system.backend)', () => {
  const wb = testWorkbench();

  it("is the training worker's report, never this process's own backend", async () => {
    // This process has a backend now, but trains nothing: training runs in a worker, whose
    // report arrives with its first run (host-server.test.ts checks that one).
    const own = await initBackend({ only: 'cpu' });
    expect(own.active).toBe('cpu');
    expect(wb.backendReport()).toBeNull();
  });
});
