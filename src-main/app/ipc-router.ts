/**
 * Binds the transport-independent dispatcher to Electron IPC: one `invoke` channel for requests and
 * one channel for pushed events. Requests from any frame other than our own renderer are refused.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { APP_NAME } from '../contract/app-name';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../contract/bridge';
import { failure, type Dispatch } from '../contract/dispatch';
import type { Result } from '../contract/errors';
import type { AppEvent, EventMap, EventName } from '../contract/events';
import { isTrustedRendererUrl, type RendererLocation } from './security';

/** Only the top frame of our own page may call in; a destroyed or foreign frame gets `forbidden`. */
export function checkSender(
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  renderer: RendererLocation,
): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isTrustedRendererUrl(frame.url, renderer);
}

export function registerIpcRouter(
  ipcMain: IpcMain,
  dispatch: Dispatch,
  renderer: RendererLocation,
): () => void {
  ipcMain.handle(
    IPC_REQUEST_CHANNEL,
    async (event, name: unknown, params: unknown): Promise<Result<unknown>> => {
      if (!checkSender(event, renderer)) {
        return failure('forbidden', `Requests are only accepted from the ${APP_NAME} window.`);
      }
      return dispatch(name, params);
    },
  );
  return () => ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
}

/** Sends one event to every live renderer; `targets` is asked each time so closed windows drop out. */
export function createEventEmitter(targets: () => readonly WebContents[]) {
  return <K extends EventName>(type: K, payload: EventMap[K]): void => {
    const event = { type, payload } as AppEvent;
    for (const contents of targets()) {
      if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
    }
  };
}
