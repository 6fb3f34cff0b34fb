/** The product name shown in the title bar, the menu and used for the userData folder. */
export const APP_NAME = 'GLIF Workbench';
