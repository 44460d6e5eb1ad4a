import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { basicSetup } from 'codemirror';
import { Compartment, EditorSelection, EditorState, type Extension, type TransactionSpec } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { language as languageFacet } from '@codemirror/language';
import type { FileAccess, FileContents, FileStamp } from './file-access.js';
import { detectLanguage, loadLanguage } from './languages.js';
import { OpenFile, sameDoc } from './open-file.js';
import { BINARY_PREVIEW_BYTES, decodeText, encodeText, firstLine, type DecodedText } from './text-codec.js';
import { darkTheme } from './theme.js';
import styles from './editor.styles.js';

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e)) || 'unknown error';

/**
 * @summary A text editor (CodeMirror 6) for several files in tabs, reading and writing through a FileAccess.
 *   The language (highlighting, indentation) follows the file name or its #! line and is loaded on first use.
 *   Ctrl+S / Cmd+S saves the shown file. A save over a file that changed since it was read, closing a tab with
 *   unsaved changes, and a change on disk reported by the app (notifyChanged) each ask first, in a bar above
 *   the text. A file that is not UTF-8 text opens read-only. Failed reads and writes show in the tab and bar.
 *
 * @fires wasmux-editor-open - A file was read and is shown in its tab; detail: `{ path }`.
 * @fires wasmux-editor-save - A file was written; detail: `{ path }`.
 * @fires wasmux-editor-error - A read or write failed; detail: `{ path, message }`.
 *
 * @csspart tabs - The tab bar.
 * @csspart tab - One tab: `data-path` holds the file's path; `data-dirty`, `data-error` and `data-changed`
 *   (changed on disk) mark its state.
 * @csspart bar - A notice or question above the text (binary file, changed on disk, unsaved changes, error).
 * @csspart editor - The element CodeMirror renders into.
 */
export default class WasmuxEditor extends LitElement {
  static override styles = styles;
  static override properties = {
    files: { attribute: false },
    tabs: { state: true },
    active: { state: true },
    closing: { state: true },
  };

  /** Where files are read from and written to. */
  declare files: FileAccess | undefined;
  declare protected tabs: OpenFile[];
  declare protected active: OpenFile | null;
  /** The tab whose close waits for the user to discard (or save) its changes. */
  declare protected closing: OpenFile | null;

  private view: EditorView | null = null;
  /** The file whose state the view holds (its `state` field is stale meanwhile). */
  private shown: OpenFile | null = null;
  private readonly languageConf = new Compartment();
  private readonly loads = new Map<OpenFile, Promise<void>>();

  constructor() {
    super();
    this.tabs = [];
    this.active = null;
    this.closing = null;
    this.addEventListener('keydown', this.onKeyDown);
  }

  // ---- Public API ----

  /** Opens the file in a new tab, or shows its tab if it is open (re-reading it if the last read failed). */
  async open(path: string): Promise<void> {
    let f = this.find(path);
    if (f) {
      this.activate(f);
      const pending = this.loads.get(f);
      if (pending) return pending;
      if (f.state) return;
    } else {
      f = new OpenFile(path);
      this.tabs = [...this.tabs, f];
      this.activate(f);
    }
    const load = this.load(f).finally(() => this.loads.delete(f));
    this.loads.set(f, load);
    return load;
  }

  /**
   * Writes the shown file (or the one at `path`). Does not write, and resolves false, when the file is binary
   * or not loaded, when a write failed (see the tab), or when the file changed on disk since it was read (a
   * bar then offers to save anyway).
   */
  save(path?: string): Promise<boolean> {
    const f = path === undefined ? this.active : this.find(path);
    if (!f || !f.state || f.binary || f.saving) return Promise.resolve(false);
    return this.write(f, false);
  }

  /**
   * The file at `path` changed on disk (the app's file watch). Ignored unless it is open and `mtimeMs` is not
   * the mtime the editor last read or wrote; else a bar offers to reload (which loses unsaved changes) or to
   * keep the buffer.
   */
  notifyChanged(path: string, mtimeMs: number): void {
    const f = this.find(path);
    if (!f || !f.state || !f.stamp) return;
    // Our own write's change may be reported before the write resolves with its mtime.
    if (f.saving) { f.notifiedDuringSave = mtimeMs; return; }
    if (mtimeMs === f.stamp.mtimeMs || mtimeMs === f.keptMtimeMs) return;
    f.disk = f.disk?.kind === 'save-conflict' ? { kind: 'save-conflict', mtimeMs } : { kind: 'changed', mtimeMs };
    this.requestUpdate();
  }

  /**
   * Closes the tab. A tab with unsaved changes is not closed unless `force`: a bar asks to discard them, and
   * this returns false.
   */
  close(path: string, force = false): boolean {
    const f = this.find(path);
    if (!f) return true;
    if (f.dirty && !force) {
      this.closing = f;
      this.activate(f);
      return false;
    }
    this.closeNow(f);
    return true;
  }

  /** The text of the shown file (or the one at `path`) as it would be saved; null if none is loaded. */
  text(path?: string): string | null {
    const f = path === undefined ? this.active : this.find(path);
    return (f && this.stateOf(f)?.sliceDoc()) ?? null;
  }

  /** The CodeMirror language of the shown file (or the one at `path`), e.g. "cpp", "shell"; null for plain text. */
  languageName(path?: string): string | null {
    const f = path === undefined ? this.active : this.find(path);
    return (f && this.stateOf(f)?.facet(languageFacet)?.name) ?? null;
  }

  /** The file in the shown tab. */
  get activePath(): string | null { return this.active?.path ?? null; }

  /** The open files, in tab order. */
  get openPaths(): string[] { return this.tabs.map((f) => f.path); }

  /** The file has unsaved changes. */
  isDirty(path: string): boolean { return this.find(path)?.dirty ?? false; }

  override focus(): void { this.view?.focus(); }

  // ---- Lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback();
    // Reattached after a disconnect: firstUpdated does not run again.
    if (this.hasUpdated && !this.view) this.createView();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.shown && this.view) this.shown.state = this.view.state;
    this.shown = null;
    this.view?.destroy();
    this.view = null;
  }

  protected override firstUpdated(): void {
    this.createView();
  }

  protected override updated(): void {
    this.syncView();
  }

  private createView(): void {
    this.view = new EditorView({
      parent: this.renderRoot.querySelector<HTMLElement>('.cm-host')!,
      root: this.renderRoot as ShadowRoot,
      state: EditorState.create({ extensions: darkTheme }),
    });
    this.syncView();
  }

  /** Makes the view hold the shown tab's state (keeping the state and scroll position of the one it held). */
  private syncView(): void {
    const view = this.view;
    if (!view) return;
    const next = this.active?.state ? this.active : null;
    if (next === this.shown) return;
    if (this.shown) {
      this.shown.state = view.state;
      this.shown.scroll = view.scrollSnapshot();
    }
    this.shown = next;
    if (next) {
      view.setState(next.state!);
      if (next.scroll) view.dispatch({ effects: next.scroll });
    }
  }

  // ---- Files ----

  private find(path: string): OpenFile | undefined {
    return this.tabs.find((f) => f.path === path);
  }

  private isOpen(f: OpenFile): boolean {
    return this.tabs.includes(f);
  }

  private stateOf(f: OpenFile): EditorState | null {
    return f === this.shown && this.view ? this.view.state : f.state;
  }

  /** Applies a transaction to the file's state, through the view if it shows the file. */
  private updateState(f: OpenFile, spec: TransactionSpec): void {
    if (f === this.shown && this.view) this.view.dispatch(spec);
    else if (f.state) f.state = f.state.update(spec).state;
  }

  private activate(f: OpenFile): void {
    this.active = f;
    void this.updateComplete.then(() => { if (this.active === f && this.shown === f) this.view?.focus(); });
  }

  private async load(f: OpenFile): Promise<void> {
    f.loading = true;
    f.error = null;
    this.requestUpdate();
    let contents: FileContents;
    try {
      if (!this.files) throw new Error('no file system to read from');
      contents = await this.files.read(f.path);
    } catch (e) {
      f.loading = false;
      if (this.isOpen(f)) this.fail(f, 'read', e);
      return;
    }
    f.loading = false;
    if (!this.isOpen(f)) return;
    await this.applyRead(f, contents);
    if (this.isOpen(f)) this.emit('wasmux-editor-open', { path: f.path });
  }

  /** Re-reads the file, replacing the buffer (its undo history keeps the old text). */
  private async reload(f: OpenFile): Promise<void> {
    if (!this.files || f.saving) return;
    f.loading = true;
    this.requestUpdate();
    try {
      const contents = await this.files.read(f.path);
      if (this.isOpen(f)) await this.applyRead(f, contents);
    } catch (e) {
      if (this.isOpen(f)) this.fail(f, 'read', e);
    } finally {
      f.loading = false;
      this.requestUpdate();
    }
  }

  /** Puts freshly read contents into the file's buffer and marks it clean. */
  private async applyRead(f: OpenFile, contents: FileContents): Promise<void> {
    const decoded = decodeText(contents.data);
    const old = this.stateOf(f);
    const inPlace = old !== null && !f.binary && !decoded.binary && old.lineBreak === decoded.lineSeparator;
    if (inPlace) {
      // Same kind of buffer: replace the text in place, so that undo can bring the old text back.
      const head = Math.min(old!.selection.main.head, decoded.text.length);
      this.updateState(f, { changes: { from: 0, to: old!.doc.length, insert: decoded.text },
        selection: EditorSelection.cursor(head), scrollIntoView: false });
    } else {
      const state = this.createState(f, decoded);
      if (f === this.shown && this.view) this.view.setState(state);
      else f.state = state;
    }
    f.saved = this.stateOf(f)!.doc;
    f.stamp = { mtimeMs: contents.mtimeMs, size: contents.size };
    f.keptMtimeMs = null;
    f.dirty = false;
    f.binary = decoded.binary;
    f.truncated = decoded.truncated;
    f.error = null;
    f.disk = null;
    f.loading = false;
    this.requestUpdate();
    const lang = decoded.binary ? null : detectLanguage(f.path, firstLine(decoded.text));
    // A new state starts with no language.
    if (lang !== f.language || !inPlace) {
      f.language = lang;
      let ext: Extension = [];
      if (lang) {
        try { ext = await loadLanguage(lang); } catch (e) {
          // Plain text is still editable; the failure is a bug in the bundle, not in the file.
          console.error(`wasmux-editor: cannot load the ${lang} language`, e);
        }
      }
      if (this.isOpen(f) && f.language === lang) this.updateState(f, { effects: this.languageConf.reconfigure(ext) });
    }
  }

  private createState(f: OpenFile, decoded: DecodedText): EditorState {
    const sep = decoded.lineSeparator;
    return EditorState.create({
      doc: decoded.text,
      extensions: [
        basicSetup,
        darkTheme,
        // Lines split on the file's own line end only, so that the text is written back byte for byte.
        EditorState.lineSeparator.of(sep),
        EditorView.clipboardInputFilter.of((text) => sep === '\n' ? text.replace(/\r\n?/g, '\n') : text.replace(/\r?\n|\r/g, '\r\n')),
        this.languageConf.of([]),
        decoded.binary ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [],
        EditorView.contentAttributes.of({ 'aria-label': f.path }),
        EditorView.updateListener.of((u) => { if (u.docChanged) this.docChanged(f); }),
      ],
    });
  }

  private docChanged(f: OpenFile): void {
    const doc = this.stateOf(f)?.doc;
    const dirty = !doc || !f.saved || !sameDoc(doc, f.saved);
    if (dirty !== f.dirty) {
      f.dirty = dirty;
      this.requestUpdate();
    }
  }

  /**
   * Writes the buffer. Unless `force`, first re-reads the file's stamp: a read and a write are not atomic, but
   * this catches a change made since the file was read (by a program in the sandbox, another tab).
   */
  private async write(f: OpenFile, force: boolean): Promise<boolean> {
    const files = this.files;
    if (!files) { this.fail(f, 'write', new Error('no file system to write to')); return false; }
    f.saving = true;
    f.disk = null;
    this.requestUpdate();
    try {
      if (!force && f.stamp) {
        let now: FileStamp | null = null;
        // A file that cannot be read now (removed, say) is written anyway: the write reports its own failure.
        try { now = await files.read(f.path); } catch { now = null; }
        if (now && (now.mtimeMs !== f.stamp.mtimeMs || now.size !== f.stamp.size) && now.mtimeMs !== f.keptMtimeMs) {
          f.disk = { kind: 'save-conflict', mtimeMs: now.mtimeMs };
          return false;
        }
      }
      const state = this.stateOf(f)!;
      const stamp = await files.write(f.path, encodeText(state.sliceDoc()));
      f.stamp = { mtimeMs: stamp.mtimeMs, size: stamp.size };
      f.saved = state.doc;
      f.keptMtimeMs = null;
      f.error = null;
      f.disk = null;
      // Typing may have gone on while the write was in flight.
      f.dirty = !sameDoc(this.stateOf(f)!.doc, state.doc);
      this.emit('wasmux-editor-save', { path: f.path });
      return true;
    } catch (e) {
      this.fail(f, 'write', e);
      return false;
    } finally {
      f.saving = false;
      this.requestUpdate();
      const notified = f.notifiedDuringSave;
      f.notifiedDuringSave = null;
      if (notified !== null) this.notifyChanged(f.path, notified);
    }
  }

  private fail(f: OpenFile, op: 'read' | 'write', e: unknown): void {
    const message = errorMessage(e);
    f.error = { op, message };
    this.requestUpdate();
    this.emit('wasmux-editor-error', { path: f.path, message });
  }

  private closeNow(f: OpenFile): void {
    const i = this.tabs.indexOf(f);
    if (i < 0) return;
    if (this.shown === f && this.view) {
      f.state = this.view.state;
      this.shown = null;
    }
    if (this.closing === f) this.closing = null;
    this.tabs = this.tabs.filter((t) => t !== f);
    if (this.active === f) {
      const next = this.tabs[Math.min(i, this.tabs.length - 1)];
      this.active = null;
      if (next) this.activate(next);
    }
  }

  private async saveAndClose(f: OpenFile): Promise<void> {
    this.closing = null;
    if (await this.write(f, false)) this.closeNow(f);
  }

  private emit<K extends 'wasmux-editor-open' | 'wasmux-editor-save' | 'wasmux-editor-error'>(
    type: K, detail: GlobalEventHandlersEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') {
      // The browser's "save page" never applies here.
      e.preventDefault();
      void this.save();
    }
  };

  // ---- Rendering ----

  protected override render() {
    const f = this.active;
    return html`
      <div part="tabs" class="tabs" role="tablist">
        ${repeat(this.tabs, (t) => t.path, (t) => this.renderTab(t))}
      </div>
      ${f ? this.renderBars(f) : nothing}
      <div class="body">
        <div part="editor" class="cm-host" ?hidden=${!f?.state} role="tabpanel"></div>
        ${!f ? html`<div class="empty">No file open.</div>`
          : !f.state && f.loading ? html`<div class="empty">Reading ${f.path}…</div>`
          : !f.state && f.error ? html`<div class="empty read-failed" role="alert">
              <p>Cannot open <code>${f.path}</code>: ${f.error.message}</p>
              <button @click=${() => void this.open(f.path)}>Retry</button>
            </div>`
          : nothing}
      </div>
    `;
  }

  private renderTab(t: OpenFile): TemplateResult {
    return html`
      <span part="tab" class="tab" role="tab" data-path=${t.path} title=${t.path} aria-selected=${t === this.active}
        ?data-dirty=${t.dirty} ?data-error=${t.error !== null} ?data-changed=${t.disk !== null} @click=${() => this.activate(t)}>
        <span class="name">${t.name}</span>
        ${t.error ? html`<span class="error-mark" title=${t.error.message} aria-label="error">!</span>` : nothing}
        ${t.disk ? html`<span class="changed" title="Changed on disk" aria-label="changed on disk">↻</span>` : nothing}
        ${t.dirty ? html`<span class="dirty" title="Unsaved changes" aria-label="unsaved changes">●</span>` : nothing}
        <button class="close" title="Close" aria-label="Close ${t.name}"
          @click=${(e: Event) => { e.stopPropagation(); this.close(t.path); }}>×</button>
      </span>`;
  }

  private renderBars(f: OpenFile): TemplateResult[] {
    const bars: TemplateResult[] = [];
    if (this.closing === f) {
      bars.push(html`<div part="bar" class="bar confirm-close" role="alertdialog" aria-label="Unsaved changes">
        <span><b>${f.name}</b> has unsaved changes.</span>
        <button class="save" @click=${() => void this.saveAndClose(f)}>Save</button>
        <button class="discard" @click=${() => this.closeNow(f)}>Discard</button>
        <button class="cancel" @click=${() => { this.closing = null; }}>Cancel</button>
      </div>`);
    }
    if (f.disk?.kind === 'changed') {
      bars.push(html`<div part="bar" class="bar disk-changed" role="alert">
        <span><b>${f.name}</b> changed on disk${f.dirty ? html` — reloading loses your unsaved changes` : nothing}.</span>
        <button class="reload" @click=${() => void this.reload(f)}>Reload</button>
        <button class="keep" @click=${() => { f.keptMtimeMs = f.disk!.mtimeMs; f.disk = null; this.requestUpdate(); }}>Keep mine</button>
      </div>`);
    } else if (f.disk?.kind === 'save-conflict') {
      bars.push(html`<div part="bar" class="bar save-conflict" role="alert">
        <span><b>${f.name}</b> changed on disk since it was read; saving overwrites that change.</span>
        <button class="overwrite" @click=${() => void this.write(f, true)}>Save anyway</button>
        <button class="reload" @click=${() => void this.reload(f)}>Reload</button>
        <button class="cancel" @click=${() => { f.disk = null; this.requestUpdate(); }}>Cancel</button>
      </div>`);
    }
    if (f.error && f.state) {
      bars.push(html`<div part="bar" class="bar error" role="alert">
        <span>Cannot ${f.error.op === 'write' ? 'save' : 'read'} <b>${f.name}</b>: ${f.error.message}</span>
        <button class="dismiss" @click=${() => { f.error = null; this.requestUpdate(); }}>Dismiss</button>
      </div>`);
    }
    if (f.binary) {
      bars.push(html`<div part="bar" class="bar binary" role="status">
        <span>binary file (not UTF-8 text): opened read-only${f.truncated
          ? html`, showing the first ${BINARY_PREVIEW_BYTES / 1024} KiB` : nothing}.</span>
      </div>`);
    }
    return bars;
  }
}
