/**
 * Names of exported files. Pure text work, kept apart from the DOM code that saves the files so
 * that it is tested in Node.
 */

/** A file name from free text: run names may hold anything. */
export function safeFileName(text: string): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return cleaned.slice(0, 80) || 'export';
}

/**
 * The name of an exported file from what it shows: the run (or "compare-3-runs"), then the chart
 * or quantity, e.g. `baseline-alpha-distribution-conv1-epoch-2.svg`. Charts of different runs and
 * quantities get different names, so saving one never overwrites another.
 */
export function exportFileName(parts: readonly string[], extension: string): string {
  const named = parts.filter((p) => p.trim() !== '').map(safeFileName);
  return `${named.join('-') || 'export'}.${extension}`;
}
