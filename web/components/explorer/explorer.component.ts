import { LitElement, html, nothing } from 'lit';
import type { FsDirent, FsEvent, SandboxFiles } from '../../fs/sandbox-files.js';
import styles from './explorer.styles.js';

const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const parentOf = (p: string): string => p.slice(0, p.lastIndexOf('/')) || '/';
const baseOf = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const DRAG_TYPE = 'application/x-wasmux-path';

/** What the inline name box is for. */
type Editing = { kind: 'new-file' | 'new-folder'; dir: string } | { kind: 'rename'; path: string };

/**
 * @summary The file explorer: the sandbox's tree through the file service (fsd, over a stream to its UNIX
 *   socket), live-updated by directory watches (inotify in the sandbox). Create, rename, move (drag an
 *   entry onto a folder), delete, upload (drop files from the desktop, or the Upload button), download a
 *   file, or a folder as a .tar.
 *
 * @fires wasmux-open-file - A file was opened (click); detail: `{ path }`.
 * @fires wasmux-fs-change - Something changed in a watched directory; detail: `{ dir, event }`.
 *
 * @csspart toolbar - The action buttons.
 * @csspart tree - The tree.
 */
export default class WasmuxExplorer extends LitElement {
  static override styles = styles;
  static override properties = {
    files: { attribute: false },
    listings: { state: true },
    expanded: { state: true },
    selected: { state: true },
    editing: { state: true },
    confirming: { state: true },
    error: { state: true },
    dropTarget: { state: true },
  };

  declare files: SandboxFiles | undefined;
  /** Directory -> its entries (sorted: folders first). */
  declare protected listings: Map<string, FsDirent[]>;
  declare protected expanded: Set<string>;
  /** The selected path. */
  declare selected: string | null;
  declare protected editing: Editing | null;
  /** A path whose deletion waits for confirmation. */
  declare protected confirming: string | null;
  declare protected error: string | null;
  declare protected dropTarget: string | null;
  private readonly unwatch = new Map<string, () => void>();
  private readonly refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    super();
    this.listings = new Map();
    this.expanded = new Set();
    this.selected = null;
    this.editing = null;
    this.confirming = null;
    this.error = null;
    this.dropTarget = null;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('files') && this.files) {
      for (const u of this.unwatch.values()) u();
      this.unwatch.clear();
      this.listings = new Map();
      this.expanded = new Set();
      void this.expand('/');
      void this.expand('/root');
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const u of this.unwatch.values()) u();
    this.unwatch.clear();
  }

  /** Show the children of `dir` and keep them current. */
  async expand(dir: string): Promise<void> {
    if (!this.files) return;
    this.expanded = new Set(this.expanded).add(dir);
    if (!this.unwatch.has(dir)) this.unwatch.set(dir, this.files.watchDir(dir, (ev) => this.onEvent(dir, ev)));
    await this.refresh(dir);
  }

  collapse(dir: string): void {
    const next = new Set(this.expanded);
    for (const d of next) if (d === dir || d.startsWith(dir === '/' ? '/' : `${dir}/`)) { next.delete(d); this.unwatch.get(d)?.(); this.unwatch.delete(d); }
    this.expanded = next;
  }

  /** Read `dir` again. */
  async refresh(dir: string): Promise<void> {
    if (!this.files) return;
    try {
      const c = await this.files.client();
      const entries = await c.readdir(dir);
      entries.sort((a, b) => (a.type === 'dir') !== (b.type === 'dir') ? (a.type === 'dir' ? -1 : 1) : a.name.localeCompare(b.name));
      this.listings = new Map(this.listings).set(dir, entries);
    } catch (e) {
      // A directory that vanished is simply no longer shown.
      if ((e as { code?: string }).code === 'FS_ERR_ENOENT' || (e as { code?: string }).code === 'FS_ERR_ENOTDIR') {
        const m = new Map(this.listings);
        m.delete(dir);
        this.listings = m;
        this.collapse(dir);
      } else {
        this.error = (e as Error).message;
      }
    }
  }

  private onEvent(dir: string, ev: FsEvent): void {
    this.dispatchEvent(new CustomEvent('wasmux-fs-change', { detail: { dir, event: ev }, bubbles: true, composed: true }));
    if (ev.type === 'modified' || ev.type === 'attrib') {
      // Sizes and times change with every write: refresh, but not more than every 200 ms.
      if (this.refreshTimers.has(dir)) return;
      this.refreshTimers.set(dir, setTimeout(() => { this.refreshTimers.delete(dir); void this.refresh(dir); }, 200));
      return;
    }
    clearTimeout(this.refreshTimers.get(dir));
    this.refreshTimers.delete(dir);
    void this.refresh(dir);
  }

  /** The folder new things go into: the selected folder, or the selected file's folder, or /root. */
  private targetDir(): string {
    const s = this.selected;
    if (!s) return '/root';
    const entry = this.listings.get(parentOf(s))?.find((e) => e.name === baseOf(s));
    return entry?.type === 'dir' ? s : parentOf(s);
  }

  private async run(what: () => Promise<unknown>): Promise<void> {
    this.error = null;
    try { await what(); } catch (e) { this.error = (e as Error).message; }
  }

  private async commitName(value: string): Promise<void> {
    const ed = this.editing;
    this.editing = null;
    const name = value.trim();
    if (!ed || !this.files || !name) return;
    if (name.includes('/') || name === '.' || name === '..') { this.error = `"${name}" is not a file name`; return; }
    const c = await this.files.client();
    await this.run(async () => {
      if (ed.kind === 'rename') {
        const to = join(parentOf(ed.path), name);
        if (to === ed.path) return;
        await c.rename(ed.path, to, { noReplace: true });
        this.selected = to;
        await this.refresh(parentOf(ed.path));
        return;
      }
      const path = join(ed.dir, name);
      if (ed.kind === 'new-folder') await c.mkdir(path);
      else await c.writeFile(path, new Uint8Array(0), { exclusive: true });
      this.selected = path;
      await this.expand(ed.dir);
      if (ed.kind === 'new-file') this.open(path);
    });
  }

  private async removePath(path: string): Promise<void> {
    this.confirming = null;
    if (!this.files) return;
    const c = await this.files.client();
    await this.run(async () => {
      const st = await c.lstat(path);
      if (st.type === 'dir') await c.rmdir(path, { recursive: true }); else await c.unlink(path);
      if (this.selected === path) this.selected = null;
      await this.refresh(parentOf(path));
    });
  }

  /** Move `from` into folder `dir` (drag and drop). */
  async move(from: string, dir: string): Promise<void> {
    if (!this.files || parentOf(from) === dir || dir === from || dir.startsWith(`${from}/`)) return;
    const c = await this.files.client();
    await this.run(async () => {
      const to = join(dir, baseOf(from));
      await c.rename(from, to, { noReplace: true });
      this.selected = to;
      await this.refresh(parentOf(from));
      await this.expand(dir);
    });
  }

  /** Write desktop files into `dir`, byte for byte. */
  async upload(dir: string, files: Iterable<File>): Promise<void> {
    if (!this.files) return;
    const c = await this.files.client();
    await this.run(async () => {
      for (const f of files) await c.writeFile(join(dir, f.name), new Uint8Array(await f.arrayBuffer()));
      await this.expand(dir);
    });
  }

  /** Download a file as is, a folder as a .tar (made in the page from the service's reads). */
  async download(path: string): Promise<void> {
    if (!this.files) return;
    const c = await this.files.client();
    await this.run(async () => {
      const st = await c.stat(path);
      let blob: Blob, name = baseOf(path) || 'root';
      if (st.type === 'dir') {
        const { tarTree } = await import('../../fs/tar-tree.js');
        blob = new Blob([await tarTree(c, path) as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' });
        name += '.tar';
      } else {
        blob = new Blob([await c.readFile(path) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
      }
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
  }

  private open(path: string): void {
    this.dispatchEvent(new CustomEvent('wasmux-open-file', { detail: { path }, bubbles: true, composed: true }));
  }

  private onClick(e: FsDirent, path: string): void {
    this.selected = path;
    if (e.type === 'dir') { if (this.expanded.has(path)) this.collapse(path); else void this.expand(path); }
    else if (e.type === 'file' || e.type === 'symlink') this.open(path);
  }

  private onKey(ev: KeyboardEvent): void {
    const s = this.selected;
    if (!s || this.editing || (ev.target as HTMLElement).tagName === 'INPUT') return;
    if (ev.key === 'F2') { ev.preventDefault(); this.editing = { kind: 'rename', path: s }; }
    if (ev.key === 'Delete') { ev.preventDefault(); this.confirming = s; }
  }

  // Drag and drop: entries onto folders move them; files from the desktop upload into the folder.
  private onDragStart(ev: DragEvent, path: string): void {
    ev.dataTransfer?.setData(DRAG_TYPE, path);
    ev.dataTransfer?.setData('text/plain', path);
    if (ev.dataTransfer) ev.dataTransfer.effectAllowed = 'move';
  }

  private onDragOver(ev: DragEvent, dir: string): void {
    const types = ev.dataTransfer?.types ?? [];
    if (!types.includes(DRAG_TYPE) && !types.includes('Files')) return;
    ev.preventDefault();
    ev.stopPropagation();
    this.dropTarget = dir;
  }

  private onDrop(ev: DragEvent, dir: string): void {
    ev.preventDefault();
    ev.stopPropagation();
    this.dropTarget = null;
    const from = ev.dataTransfer?.getData(DRAG_TYPE);
    if (from) { void this.move(from, dir); return; }
    const files = ev.dataTransfer?.files;
    if (files && files.length > 0) void this.upload(dir, Array.from(files));
  }

  private renderName(): unknown {
    const ed = this.editing;
    if (!ed) return nothing;
    const initial = ed.kind === 'rename' ? baseOf(ed.path) : '';
    return html`<input class="name" aria-label=${ed.kind === 'rename' ? 'New name' : ed.kind === 'new-file' ? 'New file name' : 'New folder name'}
      .value=${initial}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Enter') void this.commitName((e.target as HTMLInputElement).value);
        if (e.key === 'Escape') this.editing = null;
      }}
      @blur=${(e: FocusEvent) => { if (this.editing === ed) void this.commitName((e.target as HTMLInputElement).value); }}>`;
  }

  private renderDir(dir: string, depth: number): unknown {
    const entries = this.listings.get(dir);
    if (!entries) return nothing;
    const ed = this.editing;
    return html`
      ${ed && ed.kind !== 'rename' && ed.dir === dir ? html`<div class="row" style="--depth:${depth}">${this.renderName()}</div>` : nothing}
      ${entries.map((e) => {
        const path = join(dir, e.name);
        const isDir = e.type === 'dir';
        const open = isDir && this.expanded.has(path);
        return html`
          <div class="row ${this.selected === path ? 'selected' : ''} ${this.dropTarget === path ? 'drop' : ''}"
            style="--depth:${depth}" role="treeitem" aria-expanded=${isDir ? String(open) : nothing}
            data-path=${path} draggable="true" title=${path}
            @click=${() => this.onClick(e, path)}
            @dragstart=${(ev: DragEvent) => this.onDragStart(ev, path)}
            @dragover=${isDir ? (ev: DragEvent) => this.onDragOver(ev, path) : nothing}
            @dragleave=${() => { if (this.dropTarget === path) this.dropTarget = null; }}
            @drop=${isDir ? (ev: DragEvent) => this.onDrop(ev, path) : nothing}>
            <span class="icon">${isDir ? (open ? '▾' : '▸') : e.type === 'symlink' ? '↪' : ' '}</span>
            ${ed?.kind === 'rename' && ed.path === path ? this.renderName() : html`<span class="label ${e.type}">${e.name}</span>`}
            ${this.confirming === path ? html`<span class="confirm">Delete${isDir ? ' folder and contents' : ''}?
              <button @click=${(ev: Event) => { ev.stopPropagation(); void this.removePath(path); }}>Delete</button>
              <button @click=${(ev: Event) => { ev.stopPropagation(); this.confirming = null; }}>Cancel</button></span>` : nothing}
          </div>
          ${open ? this.renderDir(path, depth + 1) : nothing}`;
      })}`;
  }

  protected override render() {
    const sel = this.selected;
    return html`
      <div part="toolbar" class="toolbar">
        <button title="New file" aria-label="New file" @click=${() => { this.editing = { kind: 'new-file', dir: this.targetDir() }; void this.expand(this.targetDir()); }}>+ file</button>
        <button title="New folder" aria-label="New folder" @click=${() => { this.editing = { kind: 'new-folder', dir: this.targetDir() }; void this.expand(this.targetDir()); }}>+ folder</button>
        <label class="button" title="Upload files into the selected folder">upload
          <input type="file" multiple hidden @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            if (input.files) void this.upload(this.targetDir(), Array.from(input.files)).then(() => { input.value = ''; });
          }}></label>
        <button title="Download (a folder as .tar)" ?disabled=${!sel} @click=${() => { if (sel) void this.download(sel); }}>download</button>
        <button title="Rename (F2)" ?disabled=${!sel} @click=${() => { if (sel) this.editing = { kind: 'rename', path: sel }; }}>rename</button>
        <button title="Delete (Del)" ?disabled=${!sel} @click=${() => { this.confirming = sel; }}>delete</button>
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <div part="tree" class="tree" role="tree" tabindex="0" @keydown=${this.onKey}
        @dragover=${(ev: DragEvent) => this.onDragOver(ev, this.targetDir())}
        @drop=${(ev: DragEvent) => this.onDrop(ev, this.targetDir())}>
        <div class="row root" style="--depth:0" data-path="/" @click=${() => { this.selected = '/'; }}
          @dragover=${(ev: DragEvent) => this.onDragOver(ev, '/')} @drop=${(ev: DragEvent) => this.onDrop(ev, '/')}>
          <span class="icon">▾</span><span class="label dir">/</span></div>
        ${this.renderDir('/', 1)}
      </div>`;
  }
}
