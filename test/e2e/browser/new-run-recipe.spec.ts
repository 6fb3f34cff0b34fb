import { expect, openApp, test } from '../fixtures';

/**
 * The New-run form states what the authors report for a paper preset, and offers their recipe
 * switches: weight decay by name (a button per named value, the pressed one the value in the
 * field), the code's fixed starting gates and the ResNet head, each an option with its meaning.
 */
test("offers the authors' recipe switches in the New-run form", async ({ page, host, shot }) => {
  await openApp(page, host, '#/new-run');
  const preset = page.getByLabel('Preset', { exact: true });
  // A paper row says what the authors report for it (their README's 94.75% for this one); a
  // preset that is not a paper row says nothing of the kind.
  await preset.selectOption('fmnist-cnn');
  await expect(preset).not.toHaveAccessibleDescription(/authors report/);
  await preset.selectOption('cifar10-resnet18-t4');
  await expect(preset).toHaveAccessibleDescription(/The authors report 94\.75% top-1\./);
  const decay = page.getByLabel('Weight decay', { exact: true });
  await expect(decay).toHaveValue('0.00005');
  const named = page.getByRole('group', { name: 'Weight decay: named values' });
  await expect(named.getByRole('button', { name: 'paper 0.00005' })).toHaveAttribute('aria-pressed', 'true');
  await named.getByRole('button', { name: 'authors 0.00004' }).click();
  await expect(decay).toHaveValue('0.00004');
  await expect(named.getByRole('button', { name: 'authors 0.00004' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(named.getByRole('button', { name: 'paper 0.00005' })).toHaveAttribute('aria-pressed', 'false');

  const gates = page.getByLabel('Initial gate range', { exact: true });
  await gates.selectOption('fixed');
  await expect(gates.locator('option:checked')).toHaveText(/gates 0\.55, 0\.65, 0\.55/);
  const head = page.getByLabel('ResNet classifier', { exact: true });
  await expect(head).toHaveValue('official');
  await expect(head.locator('option')).toHaveText([
    /^The authors'/,
    /^Linear 512-256-classes/,
    /^One Linear/,
  ]);
  await shot('new-run-recipe-switches');
});
