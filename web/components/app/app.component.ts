import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { connectSandbox, type BootInfo, type SandboxClient } from '../../../runtime/host/browser/client.js';
import { offerConnector, registerServiceWorker, type ServiceWorkerHandle } from '../../service-worker.js';
import '../terminal/terminal.js';
import '../preview/preview.js';
import '../explorer/explorer.js';
import '../snapshots/snapshots.js';
import { SandboxFiles, type FsEvent } from '../../fs/sandbox-files.js';
import type WasmuxEditor from '../editor/editor.component.js';
import styles from './app.styles.js';

/** What the sandbox needs from the browser (a SharedWorker is preferred, a Worker is enough). */
function missingFeatures(): string[] {
  const missing: string[] = [];
  if (typeof WebAssembly !== 'object') missing.push('WebAssembly');
  if (typeof Worker === 'undefined' && typeof SharedWorker === 'undefined') missing.push('Web Workers');
  if (typeof MessageChannel === 'undefined') missing.push('MessageChannel');
  return missing;
}

/**
 * @summary The app shell: connects to the sandbox (the kernel in a SharedWorker), shows terminals in tabs
 *   (each its own shell; hidden tabs keep running), the preview pane (servers in the sandbox, through the
 *   service worker) and a status bar with the boot figures (time to prompt, image size, where the kernel runs).
 *
 * @csspart tabs - The tab bar.
 * @csspart status - The status bar (also announces a waiting new version, applied on request).
 */
export default class WasmuxApp extends LitElement {
  static override styles = styles;
  static override properties = {
    boot: { state: true },
    download: { state: true },
    tabs: { state: true },
    pendingUpdate: { state: true },
    active: { state: true },
    promptAt: { state: true },
    error: { state: true },
    showPreview: { state: true },
    editorOpen: { state: true },
    showSnapshots: { state: true },
  };

  declare protected boot: BootInfo | null;
  /** The image download while the kernel boots: [bytes so far, total or 0]. */
  declare protected download: [number, number] | null;
  /** performance.now() when the first prompt appeared: the page's time to prompt. */
  declare promptAt: number | null;
  declare protected error: string | null;
  /** The preview pane is shown (beside the terminals). */
  declare showPreview: boolean;
  /** The snapshots panel is shown (above the status bar). */
  declare showSnapshots: boolean;
  /** The editor is shown (above the terminals) once a file was opened. */
  declare protected editorOpen: boolean;
  /** The sandbox's files (the file service), shared by the explorer and the editor. */
  files: SandboxFiles | null = null;
  private editorLoad: Promise<WasmuxEditor> | null = null;
  private readonly editorDirs = new Map<string, () => void>();
  /** The terminal tabs (ids) and the one shown. */
  declare protected tabs: number[];
  declare protected active: number;
  /** A new version of the app is installed and waiting (the service worker). */
  declare protected pendingUpdate: ServiceWorkerHandle | null;
  protected sandbox: SandboxClient | null = null;
  private nextTab = 2;

  constructor() {
    super();
    this.boot = null;
    this.download = null;
    this.pendingUpdate = null;
    this.tabs = [1];
    this.active = 1;
    this.promptAt = null;
    this.error = null;
    this.showPreview = true;
    this.editorOpen = false;
    this.showSnapshots = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Capture phase: the shortcuts are seen before xterm.js, which would send them to the shell.
    this.addEventListener('keydown', this.onShortcut, { capture: true });
    if (this.sandbox) return;
    const missing = missingFeatures();
    if (missing.length > 0) {
      this.error = `This browser cannot run wasmux: it lacks ${missing.join(', ')}.`;
      return;
    }
    registerServiceWorker((h) => { this.pendingUpdate = h; });
    try {
      this.sandbox = connectSandbox({ onProgress: (loaded, total) => { this.download = [loaded, total]; } });
      this.sandbox.boot.then((b) => { this.boot = b; }, (e: Error) => { this.error = `The sandbox did not start: ${e.message}`; });
      const sandbox = this.sandbox;
      offerConnector(() => sandbox.connectorPort());
      this.files = new SandboxFiles(sandbox);
    } catch (e) {
      this.error = `This browser cannot run wasmux: ${(e as Error).message}`;
    }
  }

  private onPrompt(e: CustomEvent<{ at: number }>): void {
    this.promptAt ??= Math.round(e.detail.at);
  }

  /** Open `path` in the editor (loaded on first use: CodeMirror is not part of the boot). */
  async openFile(path: string): Promise<void> {
    this.editorOpen = true;
    this.editorLoad ??= import('../editor/editor.js').then(async () => {
      await this.updateComplete;
      const ed = this.renderRoot.querySelector('wasmux-editor')!;
      ed.files = this.files ?? undefined;
      return ed;
    });
    const ed = await this.editorLoad;
    await ed.open(path);
    this.watchForEditor(path);
  }

  /** Files open in the editor hear about changes made underneath (by processes in the sandbox). */
  private watchForEditor(path: string): void {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!this.files || this.editorDirs.has(dir)) return;
    this.editorDirs.set(dir, this.files.watchDir(dir, (ev) => void this.onEditorDirEvent(dir, ev)));
  }

  private async onEditorDirEvent(dir: string, ev: FsEvent): Promise<void> {
    const ed = this.editorLoad ? await this.editorLoad : null;
    if (!ed || !this.files) return;
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const paths = ed.openPaths.filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')
      && (ev.type === 'overflow' || p.slice(prefix.length) === ev.name));
    for (const p of paths) {
      try {
        const st = await (await this.files.client()).stat(p);
        ed.notifyChanged(p, st.mtimeMs);
      } catch { /* deleted: the editor keeps the buffer; saving recreates the file */ }
    }
  }

  /** The sandbox was replaced (a snapshot restored, imported, or a reset): new shells in every tab. */
  private onRestarted(): void {
    for (const t of this.renderRoot.querySelectorAll('wasmux-terminal')) void t.restart();
  }

  /** Open a new terminal tab and show it. */
  addTerminal(): void {
    const id = this.nextTab++;
    this.tabs = [...this.tabs, id];
    this.select(id);
  }

  private select(id: number): void {
    this.active = id;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`wasmux-terminal[data-tab="${id}"]`)?.focus());
  }

  /**
   * Terminal tabs from the keyboard: Alt+Shift+T a new one, Alt+Shift+W close the shown one, Alt+Shift+Left
   * and Right the previous and next. Alt+Shift combinations, because plain Alt and Ctrl ones mean
   * something to shells and full-screen programs, and the browser keeps Ctrl+T, Ctrl+W and Ctrl+PageUp.
   */
  private readonly onShortcut = (e: KeyboardEvent): void => {
    if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return;
    const i = this.tabs.indexOf(this.active);
    const go = (d: number): void => this.select(this.tabs[(i + d + this.tabs.length) % this.tabs.length]!);
    switch (e.code) {
      case 'KeyT': this.addTerminal(); break;
      case 'KeyW': this.closeTab(this.active); break;
      case 'ArrowRight': go(1); break;
      case 'ArrowLeft': go(-1); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  private closeTab(id: number): void {
    const i = this.tabs.indexOf(id);
    this.tabs = this.tabs.filter((t) => t !== id);
    if (this.tabs.length === 0) { this.addTerminal(); return; }
    if (this.active === id) this.select(this.tabs[Math.min(i, this.tabs.length - 1)]!);
  }

  private renderDownload([loaded, total]: [number, number]) {
    return html`<span class="download">
      <progress max=${total || 1} .value=${total ? loaded : 0} aria-label="Downloading the image"></progress>
      image ${mib(loaded)}${total ? ` / ${mib(total)}` : ''} MiB
    </span>`;
  }

  protected override render() {
    if (this.error) return html`<div class="error" role="alert">${this.error}</div>`;
    const b = this.boot;
    return html`
      <div class="ide">
      <wasmux-explorer part="explorer" .files=${this.files ?? undefined}
        @wasmux-open-file=${(e: CustomEvent<{ path: string }>) => void this.openFile(e.detail.path)}></wasmux-explorer>
      <section class="center">
      ${this.editorOpen ? html`<wasmux-editor part="editor"></wasmux-editor>` : ''}
      <div class="terminals">
      <div part="tabs" class="tabs" role="tablist">
        ${repeat(this.tabs, (id) => id, (id, i) => html`
          <span class="tab" role="tab" aria-selected=${id === this.active} @click=${() => this.select(id)}>
            sh ${i + 1}
            <button class="close" title="Close" aria-label="Close terminal ${i + 1}"
              @click=${(e: Event) => { e.stopPropagation(); this.closeTab(id); }}>×</button>
          </span>`)}
        <button class="add" title="New terminal (Alt+Shift+T; Alt+Shift+W closes, Alt+Shift+Left/Right switch)" aria-label="New terminal" @click=${() => this.addTerminal()}>+</button>
      </div>
      ${repeat(this.tabs, (id) => id, (id) => html`
        <wasmux-terminal data-tab=${id} ?hidden=${id !== this.active} role="tabpanel"
          .sandbox=${this.sandbox ?? undefined} @wasmux-prompt=${this.onPrompt}></wasmux-terminal>`)}
      </div>
      </section>
      ${this.showPreview ? html`<wasmux-preview part="preview" .sandbox=${this.sandbox ?? undefined}></wasmux-preview>` : ''}
      </div>
      ${this.showSnapshots ? html`<wasmux-snapshots part="snapshots" .sandbox=${this.sandbox ?? undefined}
        @wasmux-sandbox-restarted=${() => this.onRestarted()}></wasmux-snapshots>` : ''}
      <div part="status" class="status">
        <span>${b ? (b.hostKind === 'shared-worker' ? 'kernel: SharedWorker' : 'kernel: Worker (this tab)') : 'booting…'}</span>
        ${!b && this.download ? this.renderDownload(this.download) : ''}
        ${b ? html`<span id="image-info">image ${mib(b.imageBytes)} MiB, ${b.reused ? 'kernel already running' : imageSourceText(b)}</span>` : ''}
        ${this.promptAt !== null ? html`<span id="prompt-time">prompt at ${this.promptAt} ms</span>` : ''}
        <button class="toggle push" aria-pressed=${this.showSnapshots} @click=${() => { this.showSnapshots = !this.showSnapshots; }}>Snapshots</button>
        <button class="toggle" aria-pressed=${this.showPreview} @click=${() => { this.showPreview = !this.showPreview; }}>Preview</button>
        ${this.pendingUpdate ? html`<span class="update" role="status">A new version is ready.
          <button @click=${() => this.pendingUpdate?.applyUpdate()}>Reload to update</button></span>` : ''}
      </div>
    `;
  }
}

const mib = (n: number): string => (n / 1048576).toFixed(1);

/** Where this boot's image came from (the status bar's cache-hit figure). */
function imageSourceText(b: BootInfo): string {
  switch (b.imageSource) {
    case 'service-worker': return 'from the offline cache';
    case 'http-cache': return 'from the HTTP cache';
    case 'network': return `${mib(b.imageTransferBytes)} MiB downloaded`;
    default: return 'source unknown';
  }
}
