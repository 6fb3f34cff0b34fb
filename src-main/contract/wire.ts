import { z } from 'zod';
import type { Result } from './errors';
import type { AppEvent } from './events';

/**
 * Framing of the WebSocket transport of the headless host (`ws(s)://<host>/api?token=...`). Each
 * request carries a correlation id that the response repeats; events carry none.
 */
export const API_WS_PATH = '/api';
export const API_TOKEN_PARAM = 'token';

export interface RequestFrame {
  readonly kind: 'request';
  readonly id: number;
  readonly name: string;
  readonly params: unknown;
}

export interface ResponseFrame {
  readonly kind: 'response';
  readonly id: number;
  readonly result: Result<unknown>;
}

export interface EventFrame {
  readonly kind: 'event';
  readonly event: AppEvent;
}

export type ClientFrame = RequestFrame;
export type ServerFrame = ResponseFrame | EventFrame;

/** Validates a frame from a browser on the host side; params are validated later by the dispatcher. */
export const clientFrameSchema = z.strictObject({
  kind: z.literal('request'),
  id: z.number().int().nonnegative(),
  name: z.string().max(200),
  params: z.unknown(),
});
