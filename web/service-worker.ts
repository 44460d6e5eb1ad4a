// Registers the service worker (sw/sw.ts, built to sw.js) through workbox-window and reports a waiting new
// version: the app announces it and applies it only when the user asks (the new worker takes over, then the
// page reloads), never by surprise in the middle of a session.
import { Workbox } from 'workbox-window';

export interface ServiceWorkerHandle {
  /** Activate the waiting version and reload the page once it controls it. */
  applyUpdate(): void;
}

/**
 * Give the service worker a way into the kernel, for previews (sw/preview.ts): a connector port now (once
 * it is active) and whenever it asks (it loses the port when the browser stops it while idle).
 */
export function offerConnector(connectorPort: () => MessagePort): void {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  const send = async (): Promise<void> => {
    const active = (await sw.ready).active;
    if (!active) return;
    const port = connectorPort();
    active.postMessage({ type: 'wasmux-connector' }, [port]);
  };
  sw.addEventListener('message', (e) => {
    if ((e.data as { type?: string } | null)?.type === 'wasmux-connector-request') void send();
  });
  sw.startMessages();
  void send();
}

export function registerServiceWorker(onUpdateWaiting: (h: ServiceWorkerHandle) => void): void {
  if (!('serviceWorker' in navigator)) return;
  const wb = new Workbox('sw.js');
  const handle: ServiceWorkerHandle = {
    applyUpdate() {
      wb.addEventListener('controlling', () => location.reload());
      wb.messageSkipWaiting();
    },
  };
  wb.addEventListener('waiting', () => onUpdateWaiting(handle));
  wb.register().catch((e: Error) => console.warn(`wasmux: service worker not registered: ${e.message}`));
}
