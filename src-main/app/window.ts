/**
 * The main window: hardened web preferences, shown once painted, bounds remembered between launches.
 */
import { BrowserWindow, type Rectangle, type Screen } from 'electron';
import { APP_NAME } from '../contract/app-name';
import { buildWebPreferences } from './security';
import { DEFAULT_WINDOW_SIZE, loadWindowState, MIN_WINDOW_SIZE, saveWindowState } from './window-state';

export interface MainWindowOptions {
  readonly preloadPath: string;
  /** The dev server URL under `electron-vite dev`, else the built index.html is loaded. */
  readonly devServerUrl: string | undefined;
  readonly indexHtmlPath: string;
  readonly stateFile: string;
  readonly screen: Screen;
}

/** Light background of the UI, so the window does not flash dark before the first paint. */
const BACKGROUND = '#f5f6f8';
const SAVE_DELAY_MS = 400;

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const workAreas = options.screen.getAllDisplays().map((display) => display.workArea);
  const saved = loadWindowState(options.stateFile, workAreas);

  const window = new BrowserWindow({
    title: APP_NAME,
    ...(saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : DEFAULT_WINDOW_SIZE),
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    show: false,
    backgroundColor: BACKGROUND,
    autoHideMenuBar: true,
    webPreferences: buildWebPreferences(options.preloadPath),
  });
  if (saved?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  rememberBounds(window, options.stateFile);

  if (options.devServerUrl) {
    void window.loadURL(options.devServerUrl);
  } else {
    void window.loadFile(options.indexHtmlPath);
  }
  return window;
}

function rememberBounds(window: BrowserWindow, stateFile: string): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = (): void => {
    if (window.isDestroyed() || window.isMinimized() || window.isFullScreen()) return;
    // The normal bounds, so un-maximizing after the next launch restores a sensible size.
    const bounds: Rectangle = window.getNormalBounds();
    try {
      saveWindowState(stateFile, { ...bounds, maximized: window.isMaximized() });
    } catch (error) {
      console.warn(`Could not save the window position to ${stateFile}:`, error);
    }
  };
  const saveSoon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('maximize', saveSoon);
  window.on('unmaximize', saveSoon);
  window.on('close', () => {
    clearTimeout(timer);
    save();
  });
}
