/**
 * Hands a file to the user. In a browser it lands in the downloads folder; in the Electron window
 * the main side's download handler asks where to save it with the native dialog. Either way the
 * renderer never names a path on disk.
 */
export function saveFile(filename: string, content: Blob | string, mimeType = 'text/plain'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type: mimeType }) : content;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file the main side wrote (a CSV export), handed to the user under the name it chose. */
export function saveExportedFile(file: {
  readonly filename: string;
  readonly content: string;
  readonly mimeType: string;
}): void {
  saveFile(file.filename, file.content, file.mimeType);
}
