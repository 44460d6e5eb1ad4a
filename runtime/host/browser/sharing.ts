// Exposure points as the browser sees them: the list (and its changes) for the preview pane, and public
// sharing through the edge. Sharing opens one edge tunnel per shared point (runtime/host/common/
// edge-client.ts over the worker's own WebSocket) to the edge that served the app, `npm start`'s server,
// whose tunnel endpoint is /_wasmux/tunnel on the same origin. The tunnel is given a view of the
// exposures that holds only that point, so nothing else of the sandbox becomes public. The edge WebSocket
// is used for nothing else (the design card): previews go through the service worker.
import type { Exposures, ExposurePoint } from '../../kernel/net/exposure.js';
import type { PointInfo } from '../../protocol/sandbox.js';
import { EdgeClient, type WebSocketLike } from '../common/edge-client.js';

export class Sharing {
  private readonly tunnels = new Map<string, { client: EdgeClient; url: Promise<string> }>();
  private readonly publicUrls = new Map<string, string>();
  private readonly listeners = new Set<(p: PointInfo[]) => void>();

  constructor(private readonly exposures: Exposures, private readonly edgeUrl: string) {
    const changed = (): void => this.emit();
    exposures.on('added', changed);
    exposures.on('removed', (p) => {
      // A point that stops listening stops being shared: its tunnel says goodbye.
      this.unshare(p.id);
      changed();
    });
  }

  list(): PointInfo[] {
    return this.exposures.list().map((p) => {
      const url = this.publicUrls.get(p.id);
      return { ...toInfo(p), ...(url ? { publicUrl: url } : {}) };
    });
  }

  /** Calls `cb` with every new list until the returned function is called. */
  watch(cb: (p: PointInfo[]) => void): () => void {
    this.listeners.add(cb);
    return () => { this.listeners.delete(cb); };
  }

  share(id: string): Promise<string> {
    const have = this.tunnels.get(id);
    if (have) return have.url;
    const point = this.exposures.list().find((p) => p.id === id);
    if (!point) return Promise.reject(new Error(`nothing listens at ${id}`));
    const ex = this.exposures;
    const only: Exposures = {
      list: () => ex.list().filter((p) => p.id === id),
      on: (event, cb) => ex.on(event, (p) => { if (p.id === id) cb(p); }),
      connect: (pid) => {
        if (pid !== id) throw Object.assign(new Error(`${pid} is not shared`), { code: 'ECONNREFUSED' });
        return ex.connect(pid);
      },
      unixPaths: ex.unixPaths,
    };
    const client = new EdgeClient({
      edgeUrl: this.edgeUrl, exposures: only,
      createWebSocket: (u) => new WebSocket(u) as unknown as WebSocketLike,
      onExposed: (p, url) => { this.publicUrls.set(p.id, url); this.emit(); },
    });
    const url = client.start().then(() => {
      const u = client.urls.get(id);
      if (!u) throw new Error(`the edge gave ${id} no URL`);
      this.publicUrls.set(id, u);
      this.emit();
      return u;
    });
    url.catch(() => { if (this.tunnels.get(id)?.client === client) this.unshare(id); });
    this.tunnels.set(id, { client, url });
    return url;
  }

  unshare(id: string): void {
    const t = this.tunnels.get(id);
    if (!t) return;
    this.tunnels.delete(id);
    this.publicUrls.delete(id);
    t.client.close();
    this.emit();
  }

  /** Stop sharing everything (the sandbox is going away). */
  closeAll(): void {
    for (const id of [...this.tunnels.keys()]) this.unshare(id);
  }

  private emit(): void {
    const l = this.list();
    for (const cb of [...this.listeners]) cb(l);
  }
}

function toInfo(p: ExposurePoint): PointInfo {
  return {
    id: p.id, kind: p.kind,
    ...(p.path !== undefined ? { path: p.path } : {}),
    ...(p.port !== undefined ? { port: p.port } : {}),
    ...(p.address !== undefined ? { address: p.address } : {}),
  };
}
