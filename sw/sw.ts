// The service worker: makes the app work offline after the first visit, and serves previews of servers in the
// sandbox under /preview/ (sw/preview.ts). It precaches the app shell and the
// multi-MB image (the list and revisions are injected at build time by workbox-build's injectManifest,
// scripts/bundle-web.mjs) and answers from that cache first. The image's URL is revisioned, so a new image
// is a new entry and the old one is dropped when the new service worker activates.
//
// Why no skipWaiting on install: a new version must never replace the running one mid-session (the
// kernel's worker and the page would come from different builds). It waits until every tab of the old one
// is closed, or until a page asks for it (message {type: 'SKIP_WAITING'}, sent by the page's update prompt,
// after which the page reloads).
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { installPreviews } from './preview.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

// Previews first: a previewed page's request for an absolute path such as /app.js belongs to its server,
// not to the precache (sw/preview.ts).
installPreviews();
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

self.addEventListener('message', (e) => {
  if ((e.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
