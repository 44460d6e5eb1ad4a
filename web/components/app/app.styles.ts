import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100%;
    font: 0.8125rem/1.4 system-ui, sans-serif;
    color: #ddd;
    background: #1e1e1e;
  }
  .ide {
    flex: 1;
    display: flex;
    min-height: 0;
  }
  .center {
    flex: 3;
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  wasmux-explorer {
    flex: 0 0 15rem;
    min-width: 0;
    border-right: 1px solid #333;
  }
  wasmux-editor {
    flex: 1;
    min-height: 0;
    border-bottom: 1px solid #333;
  }
  .terminals {
    flex: 1;
    display: flex;
    flex-direction: column;
    min-height: 0;
  }
  wasmux-preview {
    flex: 2;
    min-width: 0;
    border-left: 1px solid #333;
  }
  wasmux-terminal {
    flex: 1;
    min-height: 0;
  }
  .status .push {
    margin-left: auto;
  }
  .status .toggle {
    font: inherit;
    color: #fff;
    background: none;
    border: 1px solid rgba(255, 255, 255, 0.4);
    border-radius: 3px;
    cursor: pointer;
  }
  .status .toggle[aria-pressed='false'] {
    opacity: 0.6;
  }
  wasmux-terminal[hidden] {
    display: none;
  }
  .tabs {
    display: flex;
    align-items: stretch;
    background: #252526;
  }
  .tab {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    padding: 0.3rem 0.4rem 0.3rem 0.8rem;
    cursor: pointer;
    color: #aaa;
  }
  .tab[aria-selected='true'] {
    color: #fff;
    background: #1e1e1e;
  }
  .tabs button {
    border: 0;
    background: none;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  .tabs .add {
    padding: 0 0.8rem;
    color: #aaa;
  }
  .status {
    display: flex;
    gap: 1.5rem;
    padding: 0.2rem 0.75rem;
    background: #007acc;
    color: #fff;
  }
  .update {
    margin-left: 0;
  }
  .update button {
    font: inherit;
    cursor: pointer;
  }
  .download progress {
    width: 8rem;
    vertical-align: middle;
  }
  .error {
    margin: 2rem;
    padding: 1rem 1.5rem;
    border-left: 4px solid #e51400;
    background: #3a1d1d;
    white-space: pre-wrap;
  }
`;
