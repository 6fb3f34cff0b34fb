import { initBackend, type BackendName } from '../../src-main/engine/backend';

/**
 * The backends this machine can run, best first. Tests that must hold on every backend loop
 * over these and name the backend in the test title, so the report says where they ran.
 */
export async function availableBackends(): Promise<BackendName[]> {
  const report = await initBackend();
  return report.candidates.filter((c) => c.available).map((c) => c.name);
}
