// Test helpers for the tunnel: two sessions joined by an in-memory transport that delivers asynchronously
// (as a WebSocket does), and a raw peer that sends hand-made frames.
import { Session, type SessionOptions, type Transport } from './session.js';

export function pipePair(a: Omit<SessionOptions, 'side'> = {}, b: Omit<SessionOptions, 'side'> = {}): { client: Session; server: Session; wire: { toServer: number; toClient: number } } {
  const wire = { toServer: 0, toClient: 0 };
  let client!: Session, server!: Session;
  const mk = (deliver: (b: Uint8Array) => void, count: (n: number) => void, other: () => Session): Transport => {
    let open = true;
    return {
      send(bytes) {
        if (!open) return;
        count(bytes.length);
        const copy = bytes.slice();
        queueMicrotask(() => deliver(copy));
      },
      close() {
        if (!open) return;
        open = false;
        queueMicrotask(() => other().transportClosed());
      },
    };
  };
  client = new Session(mk((x) => server.receive(x), (n) => { wire.toServer += n; }, () => server), { side: 'client', ...a });
  server = new Session(mk((x) => client.receive(x), (n) => { wire.toClient += n; }, () => client), { side: 'server', ...b });
  return { client, server, wire };
}

/** A session whose peer is the test: `sent` collects what the session sends, `feed` injects bytes. */
export function rawPeer(opts: SessionOptions): { session: Session; sent: Uint8Array[]; closed: () => boolean } {
  const sent: Uint8Array[] = [];
  let closed = false;
  const session = new Session({ send: (b) => { sent.push(b.slice()); }, close: () => { closed = true; } }, opts);
  return { session, sent, closed: () => closed };
}

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
