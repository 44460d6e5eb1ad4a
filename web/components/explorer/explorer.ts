import WasmuxExplorer from './explorer.component.js';

export default WasmuxExplorer;
export { WasmuxExplorer };

customElements.define('wasmux-explorer', WasmuxExplorer);

declare global {
  interface HTMLElementTagNameMap { 'wasmux-explorer': WasmuxExplorer; }
  interface GlobalEventHandlersEventMap {
    'wasmux-open-file': CustomEvent<{ path: string }>;
    'wasmux-fs-change': CustomEvent<{ dir: string; event: import('../../fs/sandbox-files.js').FsEvent }>;
  }
}
