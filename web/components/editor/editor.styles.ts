import { css } from 'lit';

// The component's own chrome (tabs, bars); CodeMirror's theme and the syntax colours are in theme.ts, mounted
// by CodeMirror into this shadow root.
export default css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 10rem;
    font: 0.8125rem/1.4 system-ui, sans-serif;
    color: #ddd;
    background: #1e1e1e;
  }
  .tabs {
    display: flex;
    overflow-x: auto;
    background: #252526;
    scrollbar-width: thin;
  }
  .tab {
    display: flex;
    align-items: center;
    gap: 0.35rem;
    padding: 0.3rem 0.3rem 0.3rem 0.8rem;
    white-space: nowrap;
    cursor: pointer;
    color: #aaa;
    border-right: 1px solid #1e1e1e;
  }
  .tab[aria-selected='true'] {
    color: #fff;
    background: #1e1e1e;
  }
  .tab[data-error] .name {
    color: #f48771;
  }
  .dirty {
    font-size: 0.7rem;
    color: #e5c07b;
  }
  .changed {
    color: #e5c07b;
  }
  .error-mark {
    font-weight: bold;
    color: #f48771;
  }
  .tab .close {
    border: 0;
    padding: 0 0.3rem;
    background: none;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  .tab .close:hover {
    background: #ffffff1a;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem;
    align-items: center;
    padding: 0.3rem 0.75rem;
    color: #fff;
    background: #3c3c3c;
    border-bottom: 1px solid #1e1e1e;
  }
  .bar > span {
    margin-right: auto;
  }
  .bar.disk-changed, .bar.save-conflict, .bar.confirm-close {
    background: #5a4a1e;
  }
  .bar.error {
    background: rgb(120 30 30 / 0.92);
  }
  .bar button, .empty button {
    font: inherit;
    padding: 0.1rem 0.7rem;
    cursor: pointer;
  }
  .body {
    position: relative;
    flex: 1;
    min-height: 0;
  }
  .cm-host {
    position: absolute;
    inset: 0;
  }
  .cm-host[hidden] {
    display: none;
  }
  .empty {
    padding: 1rem 1.25rem;
    color: #999;
  }
  .read-failed {
    color: #f48771;
  }
`;
