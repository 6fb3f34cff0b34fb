/**
 * Runs in the sandboxed renderer before the page. Exposes exactly one object, `window.glif`, with a
 * typed request function and an event subscription; `ipcRenderer` itself never reaches the page.
 * Emitted as CommonJS (`out/preload/index.cjs`): sandboxed preloads cannot be ES modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type GlifBridge } from '../contract/bridge';
import type { AppEvent } from '../contract/events';

const api = {
  request: (name, params) => ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, params),
  onEvent: (handler) => {
    // Our own listener (not the page's function) is registered, so the page never sees the IPC event.
    const listener = (_event: IpcRendererEvent, appEvent: AppEvent): void => handler(appEvent);
    ipcRenderer.on(IPC_EVENT_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, listener);
    };
  },
} satisfies GlifBridge;

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, api);
