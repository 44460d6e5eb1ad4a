// The server behind `npm start`: the edge proxy with the browser app's files on its own host name, on one
// port. The app is at http://localhost:<port>/; servers shared from a sandbox get public URLs
// http://<id>.localhost:<port>/ from the same process (docs/edge.md). Tests and the benchmarks start it
// on port 0.
import { EdgeServer, TUNNEL_PATH } from './server.js';
import { StaticSite } from './site.js';

export interface AppServerOptions {
  /** The built app (scripts/bundle-web.mjs writes dist/web). */
  dir: string;
  port?: number;
  host?: string;
  log?: (line: string) => void;
}

export interface AppServer {
  /** The app's URL, on "localhost" (a secure context for service workers, like 127.0.0.1). */
  url: string;
  /** The tunnel endpoint sandboxes connect to for public URLs. */
  tunnelUrl: string;
  edge: EdgeServer;
  close(): Promise<void>;
}

export async function startAppServer(o: AppServerOptions): Promise<AppServer> {
  const port = o.port ?? 8080;
  const edge = new EdgeServer({
    host: o.host ?? '127.0.0.1', port, site: new StaticSite(o.dir),
    ...(port !== 0 ? { domain: `localhost:${port}` } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  const bound = await edge.listen();
  const base = `http://localhost:${bound.port}`;
  return { url: `${base}/`, tunnelUrl: `ws://localhost:${bound.port}${TUNNEL_PATH}`, edge, close: () => edge.close() };
}
