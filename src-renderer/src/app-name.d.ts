/** The product name (src-main/contract/app-name.ts), defined at build time by electron.vite.config.ts. */
declare const __APP_NAME__: string;
