// Registers the service worker (sw/sw.ts, built to sw.js) through workbox-window and reports a waiting new
// version: the app announces it and applies it only when the user asks (the new worker takes over, then the
// page reloads), never by surprise in the middle of a session.
import { Workbox } from 'workbox-window';

export interface ServiceWorkerHandle {
  /** Activate the waiting version and reload the page once it controls it. */
  applyUpdate(): void;
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
