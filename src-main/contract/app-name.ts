/**
 * The product name: the title bar, the menu, the userData folder (runs/store/paths.ts) and what
 * `glif serve` reports to the browser. Defined here, once, because all of them need it.
 */
export const APP_NAME = 'GLIF Workbench';
