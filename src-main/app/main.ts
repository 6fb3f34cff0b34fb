/**
 * Electron entry point (built to out/main/index.js). Owns the app lifecycle: one instance, one
 * hardened window, and the IPC router in front of the request handlers.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  screen,
  session,
  shell,
  type OpenDialogOptions,
} from 'electron';
import { DB_FILE_NAME } from '../runs/store/paths';
import { RunStore } from '../runs/store/run-store';
import { APP_NAME } from '../contract/app-name';
import { createMainSide } from '../service/main-side';
import { createEventEmitter, registerIpcRouter } from './ipc-router';
import { rendererLocation } from './security';
import { hardenWebContents, installSessionSecurity } from './session-security';
import { utilityWorkerLauncher } from './utility-worker';
import { createMainWindow } from './window';
import { WINDOW_STATE_FILE } from './window-state';

// Everything is bundled into out/main/index.js, so paths are relative to out/main/.
const outDir = fileURLToPath(new URL('..', import.meta.url));
const preloadPath = join(outDir, 'preload', 'index.cjs');
const indexHtmlPath = join(outDir, 'renderer', 'index.html');
// Set by `electron-vite dev`; never honoured in a packaged app.
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const renderer = rendererLocation(pathToFileURL(indexHtmlPath).href, devServerUrl);

// Before anything reads userData: the name decides its folder, and the single-instance lock lives there.
app.setName(APP_NAME);
app.enableSandbox();

if (app.requestSingleInstanceLock()) {
  start();
} else {
  // Another instance is running; it focuses its window (see 'second-instance') and we leave.
  app.quit();
}

function start(): void {
  let mainWindow: BrowserWindow | null = null;

  const openMainWindow = (): void => {
    mainWindow = createMainWindow({
      preloadPath,
      devServerUrl,
      indexHtmlPath,
      stateFile: join(app.getPath('userData'), WINDOW_STATE_FILE),
      screen,
    });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, renderer, shell));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      installSessionSecurity(session.defaultSession);
      // The same database and checkpoint folder as the `glif` CLI, in the user's data folder.
      const dataDir = app.getPath('userData');
      const emit = createEventEmitter(() => BrowserWindow.getAllWindows().map((w) => w.webContents));
      const { workbench, dispatch } = createMainSide({
        store: RunStore.open(join(dataDir, DB_FILE_NAME)),
        dataDir,
        emit,
        launch: utilityWorkerLauncher(join(outDir, 'main', 'train-worker.js'), join(outDir, 'main', 'wasm')),
        host: {
          appName: APP_NAME,
          appVersion: app.getVersion(),
          host: 'electron',
          chooseLocation: async (kind) => {
            const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
            const options: OpenDialogOptions = {
              title: kind === 'folder' ? 'Choose the dataset folder' : 'Choose the dataset archive',
              properties: kind === 'folder' ? ['openDirectory'] : ['openFile'],
              ...(kind === 'file'
                ? { filters: [{ name: 'Dataset archives', extensions: ['gz', 'tgz', 'tar', 'bin'] }] }
                : {}),
            };
            const result = parent
              ? await dialog.showOpenDialog(parent, options)
              : await dialog.showOpenDialog(options);
            return result.canceled ? null : (result.filePaths[0] ?? null);
          },
        },
      });
      // Closing is asynchronous (a run's worker must exit before the store closes, see
      // Workbench.close), so the first quit is held back and asked again once it is done.
      let closed = false;
      let closing: Promise<void> | undefined;
      app.on('before-quit', (event) => {
        if (closed) return;
        event.preventDefault();
        closing ??= workbench
          .close('interrupted: the app was quit during the run')
          .catch((error: unknown) => console.error(`${APP_NAME} did not close cleanly:`, error))
          .finally(() => {
            closed = true;
            app.quit();
          });
      });
      registerIpcRouter(ipcMain, dispatch, renderer);
      openMainWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
      });
    })
    .catch((error: unknown) => {
      console.error(`${APP_NAME} could not start:`, error);
      app.exit(1);
    });
}
