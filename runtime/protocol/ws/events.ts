// The event objects and exceptions of the WebSocket API, made from what the platform has: the real
// MessageEvent, CloseEvent and DOMException where they exist (browsers; Node 20 lacks CloseEvent), otherwise
// Event subclasses and Errors with the same fields and names.
import { platform, type EventLike } from './platform.js';

export interface MessageEventLike extends EventLike {
  readonly data: unknown;
  readonly origin: string;
}

export interface CloseEventLike extends EventLike {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export interface CloseEventInit { code: number; reason: string; wasClean: boolean }

type Ctor<T, I> = new (type: string, init: I) => T;
let messageEventClass: Ctor<MessageEventLike, { data: unknown; origin: string }> | null = null;
let closeEventClass: Ctor<CloseEventLike, CloseEventInit> | null = null;

export function makeEvent(type: string): EventLike {
  return new platform.Event(type);
}

export function makeMessageEvent(data: unknown, origin: string): MessageEventLike {
  messageEventClass ??= (platform.MessageEvent as Ctor<MessageEventLike, { data: unknown; origin: string }> | undefined) ?? class MessageEvent extends platform.Event {
    readonly data: unknown;
    readonly origin: string;
    readonly lastEventId = '';
    readonly source = null;
    readonly ports: readonly unknown[] = [];
    constructor(type: string, init: { data: unknown; origin: string }) {
      super(type);
      this.data = init.data;
      this.origin = init.origin;
    }
  };
  return new messageEventClass('message', { data, origin });
}

export function makeCloseEvent(init: CloseEventInit): CloseEventLike {
  closeEventClass ??= (platform.CloseEvent as Ctor<CloseEventLike, CloseEventInit> | undefined) ?? class CloseEvent extends platform.Event {
    readonly code: number;
    readonly reason: string;
    readonly wasClean: boolean;
    constructor(type: string, i: CloseEventInit) {
      super(type);
      this.code = i.code;
      this.reason = i.reason;
      this.wasClean = i.wasClean;
    }
  };
  return new closeEventClass('close', init);
}

/** A DOMException with `name` (SyntaxError, InvalidAccessError, InvalidStateError), or an Error so named. */
export function domException(message: string, name: string): Error {
  if (platform.DOMException) return new platform.DOMException(message, name);
  const e = new Error(message);
  e.name = name;
  return e;
}
