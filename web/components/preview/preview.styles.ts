import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    font: 0.8125rem/1.4 system-ui, sans-serif;
    color: #ddd;
    background: #1e1e1e;
  }
  .toolbar {
    display: flex;
    gap: 0.3rem;
    padding: 0.3rem;
    background: #252526;
  }
  select, input, button {
    font: inherit;
    color: #ddd;
    background: #3c3c3c;
    border: 1px solid #555;
    border-radius: 3px;
    padding: 0.15rem 0.4rem;
  }
  .address { flex: 1; min-width: 0; }
  button { cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  .share { background: #0e639c; border-color: #1177bb; }
  .public, .notice {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    padding: 0.25rem 0.5rem;
    background: #2d2d30;
  }
  .public a { color: #4fc1ff; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .notice { color: #f48771; }
  iframe {
    flex: 1;
    width: 100%;
    border: 0;
    background: #fff;
  }
  .empty { padding: 1rem; color: #aaa; }
  code { background: #333; padding: 0 0.25em; border-radius: 3px; }
`;
