/**
 * A record kept in localStorage as one JSON object (chart views by chart, colours by run): each
 * entry is kept only if `parse` accepts it, so a stale or hand-edited value never throws and
 * never reaches the UI malformed.
 */
export function parseStoredRecord<V>(
  text: string | null,
  parse: (key: string, value: unknown) => V | undefined,
): Map<string, V> {
  const out = new Map<string, V>();
  if (!text) return out;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, entry] of Object.entries(value)) {
    const parsed = parse(key, entry);
    if (parsed !== undefined) out.set(key, parsed);
  }
  return out;
}
