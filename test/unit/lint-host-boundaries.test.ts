/**
 * The hosts (app/: Electron, host/: glif serve and the CLI) share src-main/service and never
 * import each other. The rule lives in eslint.config.js; this checks that it still fires on a
 * violation, so a typo in its regex cannot turn it off silently.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths';

// The snippets are linted as files that do not exist, which the type-aware project service cannot
// place in a tsconfig; the import rule needs no types, so type information is switched off here.
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/return-await': 'off',
    },
  },
});

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result.messages
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('host boundaries (eslint no-restricted-imports)', () => {
  it('refuses app/ importing host/, host/ importing app/, and service/ importing either', async () => {
    expect(
      await restrictedImports(
        'src-main/app/violation.ts',
        "import { startHostServer } from '../host/server/host-server';\nexport const x = startHostServer;\n",
      ),
    ).toEqual([expect.stringContaining('src-main/service')]);
    expect(
      await restrictedImports(
        'src-main/host/server/violation.ts',
        "import { checkSender } from '../../app/ipc-router';\nexport const x = checkSender;\n",
      ),
    ).toEqual([expect.stringContaining('src-main/service')]);
    expect(
      await restrictedImports(
        'src-main/service/violation.ts',
        "import { checkSender } from '../app/ipc-router';\nimport { run } from '../host/cli/main';\nexport const x = [checkSender, run];\n",
      ),
    ).toHaveLength(2);
  });

  it('lets both hosts import the service', async () => {
    const code = "import { createMainSide } from '../service/main-side';\nexport const x = createMainSide;\n";
    expect(await restrictedImports('src-main/app/fine.ts', code)).toEqual([]);
    expect(
      await restrictedImports('src-main/host/server/fine.ts', code.replace('../service', '../../service')),
    ).toEqual([]);
  });
});
