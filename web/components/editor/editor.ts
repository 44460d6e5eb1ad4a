import WasmuxEditor from './editor.component.js';

export default WasmuxEditor;
export { WasmuxEditor };
export type { FileAccess, FileContents, FileStamp } from './file-access.js';

customElements.define('wasmux-editor', WasmuxEditor);

declare global {
  interface HTMLElementTagNameMap { 'wasmux-editor': WasmuxEditor; }
  interface GlobalEventHandlersEventMap {
    'wasmux-editor-open': CustomEvent<{ path: string }>;
    'wasmux-editor-save': CustomEvent<{ path: string }>;
    'wasmux-editor-error': CustomEvent<{ path: string; message: string }>;
  }
}
