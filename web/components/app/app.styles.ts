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
  wasmux-terminal {
    flex: 1;
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
    margin-left: auto;
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
