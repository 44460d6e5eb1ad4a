import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    font: 0.8125rem/1.5 system-ui, sans-serif;
    color: #ccc;
    background: #252526;
    user-select: none;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.2rem;
    padding: 0.3rem;
    border-bottom: 1px solid #333;
  }
  button, .button {
    font: inherit;
    font-size: 0.75rem;
    color: #ccc;
    background: #3c3c3c;
    border: 1px solid #555;
    border-radius: 3px;
    padding: 0 0.35rem;
    cursor: pointer;
  }
  button:disabled { opacity: 0.5; cursor: default; }
  .tree { flex: 1; overflow: auto; outline: none; padding-bottom: 2rem; }
  .row {
    display: flex;
    align-items: center;
    gap: 0.25rem;
    padding-left: calc(var(--depth) * 0.8rem + 0.3rem);
    white-space: nowrap;
    cursor: pointer;
  }
  .row:hover { background: #2a2d2e; }
  .row.selected { background: #094771; color: #fff; }
  .row.drop { outline: 1px dashed #4fc1ff; }
  .icon { width: 0.8rem; color: #888; }
  .label.symlink { font-style: italic; }
  .label.dir { color: #e8e8e8; }
  .name { font: inherit; color: #fff; background: #3c3c3c; border: 1px solid #007acc; width: 12rem; }
  .confirm { margin-left: 0.5rem; color: #f48771; }
  .error { padding: 0.25rem 0.5rem; color: #f48771; background: #3a1d1d; white-space: normal; }
`;
