/**
 * Where the legend entries of an exported chart go. Entries are packed left to right and wrap to
 * new rows; a label too long for a whole row wraps onto several lines. The exported image grows
 * by the rows this takes, so no entry is ever cut off however long run names get.
 */

export interface LegendEntryPlacement {
  /** Index of the entry in the labels given. */
  readonly index: number;
  /** Left edge of the swatch, relative to the legend's left edge. */
  readonly x: number;
  /** The entry's first row (0-based). */
  readonly row: number;
  /** The label's lines, one per row from `row` on. */
  readonly lines: readonly string[];
}

export interface LegendLayout {
  readonly entries: readonly LegendEntryPlacement[];
  readonly rows: number;
}

/** Swatch and the gap after it: the label starts this far right of the entry's left edge. */
export const LEGEND_SWATCH = 24;
/** Space between two entries on one row. */
export const LEGEND_GAP = 18;

/**
 * A generous width of `text` at `fontSize` px without a DOM (the SVG is written in plain code and
 * tested in Node): wider than system-ui draws it, so estimated room always suffices.
 */
export function estimateTextWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    // CJK, emoji and other wide scripts take a full em; everything else at most ~0.65 em.
    em += code >= 0x2e80 ? 1 : /[A-Z@%MW_mw]/.test(ch) ? 0.9 : 0.65;
  }
  return em * fontSize;
}

/** Splits `text` into lines no wider than `width`, at spaces where it can and anywhere where it must. */
export function wrapText(text: string, width: number, measure: (text: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/(?<= )/)) {
    if (measure(line + word) <= width || line === '') {
      line += word;
    } else {
      lines.push(line.trimEnd());
      line = word;
    }
    // A word wider than the row on its own is cut into pieces that fit.
    while (measure(line) > width && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && measure(line.slice(0, cut)) > width) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line.trim() !== '' || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** Places the labels in rows no wider than `width`. */
export function layoutLegend(
  labels: readonly string[],
  width: number,
  measure: (text: string) => number,
): LegendLayout {
  const entries: LegendEntryPlacement[] = [];
  let row = 0;
  let x = 0;
  labels.forEach((label, index) => {
    const single = LEGEND_SWATCH + measure(label);
    if (single <= width) {
      if (x > 0 && x + single > width) {
        row++;
        x = 0;
      }
      entries.push({ index, x, row, lines: [label] });
      x += single + LEGEND_GAP;
      return;
    }
    // Too long for a row of its own: it starts a row and wraps over as many as it needs.
    if (x > 0) row++;
    const lines = wrapText(label, Math.max(1, width - LEGEND_SWATCH), measure);
    entries.push({ index, x: 0, row, lines });
    row += lines.length;
    x = 0;
  });
  return { entries, rows: labels.length === 0 ? 0 : x > 0 ? row + 1 : row };
}
