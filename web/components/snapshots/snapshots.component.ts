import { LitElement, html, nothing } from 'lit';
import type { SandboxClient } from '../../../runtime/host/browser/client.js';
import { SnapshotStore, type SnapshotMeta } from '../../../runtime/host/browser/snapshot-store.js';
import styles from './snapshots.styles.js';

const stamp = (t: number): string => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
const kib = (n: number): string => (n < 1048576 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);

/**
 * @summary Snapshots of the sandbox's writable layer (docs/design/snapshots.md): save to IndexedDB and
 *   restore later (a fresh sandbox with that layer), export and import as a .tar file, reset to the bare
 *   image. The sandbox stays ephemeral unless the user saves.
 *
 * @fires wasmux-sandbox-restarted - The sandbox was replaced (restore, import, reset); its terminals hung up.
 *
 * @csspart panel - The panel.
 */
export default class WasmuxSnapshots extends LitElement {
  static override styles = styles;
  static override properties = {
    sandbox: { attribute: false },
    saved: { state: true },
    busy: { state: true },
    message: { state: true },
    confirmReset: { state: true },
  };

  declare sandbox: SandboxClient | undefined;
  declare saved: SnapshotMeta[];
  declare protected busy: string | null;
  /** The last outcome, shown in the panel (role=status). */
  declare message: string | null;
  declare protected confirmReset: boolean;
  readonly store = new SnapshotStore();

  constructor() {
    super();
    this.saved = [];
    this.busy = null;
    this.message = null;
    this.confirmReset = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try { this.saved = await this.store.list(); } catch (e) { this.message = `Saved snapshots cannot be read: ${(e as Error).message}`; }
  }

  private async act(what: string, fn: () => Promise<string>): Promise<void> {
    if (this.busy) return;
    this.busy = what;
    try { this.message = await fn(); } catch (e) { this.message = `${what} failed: ${(e as Error).message}`; } finally { this.busy = null; }
  }

  /** Save the writable layer to IndexedDB. */
  save(): Promise<void> {
    return this.act('Save', async () => {
      const tar = await this.sandbox!.exportLayer();
      const m = await this.store.save(`snapshot ${stamp(Date.now())}`, tar);
      await this.refresh();
      return `Saved ${m.name} (${kib(m.size)}).`;
    });
  }

  restore(id: number): Promise<void> {
    return this.act('Restore', async () => {
      const warn = await this.restart(await this.store.load(id));
      return `Restored: a fresh sandbox with the saved files.${warn}`;
    });
  }

  removeSaved(id: number): Promise<void> {
    return this.act('Delete', async () => { await this.store.remove(id); await this.refresh(); return 'Deleted.'; });
  }

  exportTar(): Promise<void> {
    return this.act('Export', async () => {
      const tar = await this.sandbox!.exportLayer();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([tar as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' }));
      a.download = `wasmux-${stamp(Date.now()).replace(/[: ]/g, '-')}.tar`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      return `Exported ${kib(tar.byteLength)}.`;
    });
  }

  importTar(file: File): Promise<void> {
    return this.act('Import', async () => {
      const warn = await this.restart(new Uint8Array(await file.arrayBuffer()));
      return `Imported ${file.name}: a fresh sandbox with its files.${warn}`;
    });
  }

  reset(): Promise<void> {
    this.confirmReset = false;
    return this.act('Reset', async () => { await this.restart(null); return 'Reset: a fresh sandbox.'; });
  }

  /** Restart with `tar`; returns a warning when it was made on another image. */
  private async restart(tar: Uint8Array | null): Promise<string> {
    const r = await this.sandbox!.restart(tar);
    this.dispatchEvent(new CustomEvent('wasmux-sandbox-restarted', { bubbles: true, composed: true }));
    return r.sameImage ? '' : ` It was made on another image (${r.madeOnImage}, now ${r.imageId}): files the image provides may differ.`;
  }

  protected override render() {
    const off = !this.sandbox || this.busy !== null;
    return html`<div part="panel" class="panel">
      <div class="actions">
        <button ?disabled=${off} @click=${() => void this.save()}>Save snapshot</button>
        <button ?disabled=${off} @click=${() => void this.exportTar()}>Export .tar</button>
        <label class="button ${off ? 'disabled' : ''}">Import .tar
          <input type="file" accept=".tar,application/x-tar" hidden ?disabled=${off} @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            const f = input.files?.[0];
            input.value = '';
            if (f) void this.importTar(f);
          }}></label>
        ${this.confirmReset
          ? html`<span class="confirm">Discard every change? <button class="danger" @click=${() => void this.reset()}>Reset</button>
              <button @click=${() => { this.confirmReset = false; }}>Cancel</button></span>`
          : html`<button ?disabled=${off} @click=${() => { this.confirmReset = true; }}>Reset…</button>`}
      </div>
      ${this.busy ? html`<div class="status" role="status">${this.busy}…</div>`
        : this.message ? html`<div class="status" role="status">${this.message}</div>` : nothing}
      <ul class="saved" aria-label="Saved snapshots">
        ${this.saved.length === 0 ? html`<li class="none">No saved snapshots. The sandbox is ephemeral: save to keep its files.</li>` : nothing}
        ${this.saved.map((s) => html`<li data-id=${s.id}>
          <span class="name">${s.name}</span><span class="size">${kib(s.size)}</span>
          <button ?disabled=${off} @click=${() => void this.restore(s.id)}>Restore</button>
          <button ?disabled=${off} @click=${() => void this.removeSaved(s.id)}>Delete</button></li>`)}
      </ul>
    </div>`;
  }
}
