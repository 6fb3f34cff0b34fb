import type { WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { createEventEmitter } from '../../src-main/app/ipc-router';
import { IPC_EVENT_CHANNEL } from '../../src-main/contract/bridge';
import type { EventMap } from '../../src-main/contract/events';

/** A stand-in for a window's WebContents: records what is sent, can be destroyed. */
function contents() {
  const sent: { channel: string; event: unknown }[] = [];
  let destroyed = false;
  const wc = {
    send: (channel: string, event: unknown) => sent.push({ channel, event }),
    isDestroyed: () => destroyed,
  } as unknown as WebContents;
  return { wc, sent, destroy: () => (destroyed = true) };
}

const status: EventMap['run.status'] = { runId: 'abc123', status: 'running', error: null };

describe('the Electron event transport (createEventEmitter)', () => {
  it('sends each event as { type, payload } on the event channel to every live window', () => {
    const a = contents();
    const b = contents();
    const emit = createEventEmitter(() => [a.wc, b.wc]);
    emit('run.status', status);
    for (const w of [a, b])
      expect(w.sent).toEqual([
        { channel: IPC_EVENT_CHANNEL, event: { type: 'run.status', payload: status } },
      ]);
  });

  it('skips destroyed windows and asks for the windows again on every event', () => {
    const a = contents();
    const b = contents();
    let windows = [a.wc];
    const emit = createEventEmitter(() => windows);
    emit('run.status', status);
    a.destroy();
    windows = [a.wc, b.wc];
    emit('app.notice', { level: 'info', message: 'hello' });
    expect(a.sent).toHaveLength(1);
    expect(b.sent).toEqual([
      {
        channel: IPC_EVENT_CHANNEL,
        event: { type: 'app.notice', payload: { level: 'info', message: 'hello' } },
      },
    ]);
  });
});
