import { LitElement, html, nothing } from 'lit';
import type { PointInfo, SandboxClient } from '../../../runtime/host/browser/client.js';
import { previewPath, PREVIEW_PREFIX } from '../../../runtime/protocol/preview/paths.js';
import styles from './preview.styles.js';

/** "port 8080" or "/tmp/server.sock". */
export function pointLabel(p: PointInfo): string {
  return p.kind === 'tcp' ? `port ${p.port}` : p.path ?? p.id;
}

/**
 * @summary The preview pane: a same-origin iframe showing what a server in the sandbox serves, through the
 *   service worker (/preview/<point>/...), with a point picker, an address bar, reload, open in a new tab,
 *   and public sharing through the edge (a public URL with a copy button; stop sharing).
 *
 * @fires wasmux-share - A point's public URL changed; detail: `{ point, url }` (url null when sharing stopped).
 *
 * @csspart toolbar - The point picker, address bar and buttons.
 * @csspart frame - The iframe.
 * @csspart share - The public URL bar.
 */
export default class WasmuxPreview extends LitElement {
  static override styles = styles;
  static override properties = {
    sandbox: { attribute: false },
    points: { state: true },
    point: { state: true },
    path: { state: true },
    src: { state: true },
    notice: { state: true },
    sharing: { state: true },
  };

  declare sandbox: SandboxClient | undefined;
  /** The exposure points, live. */
  declare points: PointInfo[];
  /** The point shown (its id). */
  declare point: string | null;
  /** The path in the address bar (what the server sees). */
  declare path: string;
  declare protected src: string | null;
  declare protected notice: string | null;
  /** A share being started (point id). */
  declare protected sharing: string | null;
  private watching: SandboxClient | null = null;

  constructor() {
    super();
    this.points = [];
    this.point = null;
    this.path = '/';
    this.src = null;
    this.notice = null;
    this.sharing = null;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('sandbox') && this.sandbox && this.watching !== this.sandbox) {
      this.watching = this.sandbox;
      void this.sandbox.points((p) => this.onPoints(p)).then((p) => this.onPoints(p), (e: Error) => { this.notice = e.message; });
    }
  }

  /** Show `point` at `path` (the app calls this; so does the picker). */
  async show(point: string, path = '/'): Promise<void> {
    this.point = point;
    this.path = path.startsWith('/') ? path : `/${path}`;
    if (!('serviceWorker' in navigator)) { this.notice = 'Previews need service workers, which this browser lacks.'; return; }
    // The service worker must be active, or the iframe's request would go to the network.
    await navigator.serviceWorker.ready;
    const src = previewPath(point, this.path);
    if (this.src === src) this.frame()?.contentWindow?.location.reload();
    this.src = src;
  }

  reload(): void {
    if (this.point) void this.show(this.point, this.path);
  }

  private onPoints(points: PointInfo[]): void {
    this.points = points;
    if (this.point && !points.some((p) => p.id === this.point)) return; // keep showing: the server may restart
    if (!this.point && points.length > 0) void this.show(points[0]!.id);
  }

  private frame(): HTMLIFrameElement | null { return this.renderRoot.querySelector('iframe'); }

  /** Follow navigations inside the iframe into the address bar. */
  private onFrameLoad(): void {
    let loc: Location | undefined;
    try { loc = this.frame()?.contentWindow?.location; } catch { return; }
    if (!loc || !loc.pathname.startsWith(PREVIEW_PREFIX)) return;
    const rest = loc.pathname.slice(PREVIEW_PREFIX.length);
    const cut = rest.indexOf('/');
    this.path = (cut < 0 ? '/' : rest.slice(cut)) + loc.search + loc.hash;
  }

  private onAddress(e: KeyboardEvent): void {
    if (e.key !== 'Enter' || !this.point) return;
    void this.show(this.point, (e.target as HTMLInputElement).value || '/');
  }

  private async share(p: PointInfo): Promise<void> {
    if (!this.sandbox) return;
    this.sharing = p.id;
    this.notice = null;
    try {
      const url = await this.sandbox.share(p.id);
      this.dispatchEvent(new CustomEvent('wasmux-share', { detail: { point: p.id, url }, bubbles: true, composed: true }));
    } catch (e) {
      this.notice = `Sharing failed: ${(e as Error).message}`;
    } finally {
      this.sharing = null;
    }
  }

  private unshare(p: PointInfo): void {
    this.sandbox?.unshare(p.id);
    this.dispatchEvent(new CustomEvent('wasmux-share', { detail: { point: p.id, url: null }, bubbles: true, composed: true }));
  }

  private copy(url: string): void {
    void navigator.clipboard?.writeText(url).catch(() => {});
  }

  protected override render() {
    const current = this.points.find((p) => p.id === this.point) ?? null;
    return html`
      <div part="toolbar" class="toolbar">
        <select aria-label="Server" @change=${(e: Event) => void this.show((e.target as HTMLSelectElement).value)}>
          ${this.points.length === 0 ? html`<option value="">no server</option>` : nothing}
          ${this.points.map((p) => html`<option value=${p.id} ?selected=${p.id === this.point}>${pointLabel(p)}</option>`)}
        </select>
        <input class="address" aria-label="Address" .value=${this.path} @keydown=${this.onAddress} ?disabled=${!this.point}>
        <button title="Reload" aria-label="Reload" @click=${() => this.reload()} ?disabled=${!this.point}>⟳</button>
        <button title="Open in a new tab" aria-label="Open in a new tab" ?disabled=${!this.src}
          @click=${() => { if (this.src) window.open(this.src, '_blank', 'noopener'); }}>↗</button>
        ${current ? (current.publicUrl
          ? html`<button class="share" @click=${() => this.unshare(current)}>Stop sharing</button>`
          : html`<button class="share" ?disabled=${this.sharing !== null} @click=${() => void this.share(current)}>${this.sharing === current.id ? 'Sharing…' : 'Share'}</button>`)
          : nothing}
      </div>
      ${current?.publicUrl ? html`
        <div part="share" class="public" role="status">
          Public URL: <a class="public-url" href=${current.publicUrl} target="_blank" rel="noopener">${current.publicUrl}</a>
          <button @click=${() => this.copy(current.publicUrl!)}>Copy</button>
        </div>` : nothing}
      ${this.notice ? html`<div class="notice" role="alert">${this.notice}</div>` : nothing}
      ${this.src
        ? html`<iframe part="frame" title="Preview" src=${this.src} @load=${this.onFrameLoad}></iframe>`
        : html`<div class="empty">No server is listening yet. Start one in the terminal, for example
            <code>socat UNIX-LISTEN:/tmp/server.sock,fork EXEC:'httpd -i -h /www' &amp;</code></div>`}
    `;
  }
}
