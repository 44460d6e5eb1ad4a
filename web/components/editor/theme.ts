// The editor's dark theme, matching wasmux-terminal (background #1e1e1e, the same monospace font), and the
// syntax colours. Tokens get stable class names from Lezer's classHighlighter (`tok-keyword`, `tok-string`,
// ...) rather than generated ones, so the colours are plain CSS here and tests can find highlighted tokens.

import { syntaxHighlighting } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { classHighlighter } from '@lezer/highlight';

export const MONOSPACE = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace';

const chrome = EditorView.theme({
  '&': { height: '100%', color: '#d4d4d4', backgroundColor: '#1e1e1e', fontSize: '14px' },
  '.cm-scroller': { fontFamily: MONOSPACE, lineHeight: '1.45' },
  '.cm-content': { caretColor: '#aeafad' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: '#aeafad' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    { backgroundColor: '#264f78' },
  '.cm-activeLine': { backgroundColor: '#ffffff0a' },
  '.cm-selectionMatch': { backgroundColor: '#add6ff26' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: '#ffffff1f', outline: '1px solid #888' },
  '&.cm-focused .cm-nonmatchingBracket': { color: '#f44747' },
  '.cm-searchMatch': { backgroundColor: '#623315', outline: '1px solid #9e6a03' },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: '#515c6a' },
  '.cm-gutters': { backgroundColor: '#1e1e1e', color: '#858585', border: 'none' },
  '.cm-activeLineGutter': { backgroundColor: 'transparent', color: '#c6c6c6' },
  '.cm-foldPlaceholder': { backgroundColor: '#3a3d41', border: 'none', color: '#bbb' },
  '.cm-panels': { backgroundColor: '#252526', color: '#ccc' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid #3c3c3c' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid #3c3c3c' },
  '.cm-panel input, .cm-panel button': { color: '#ccc', backgroundColor: '#3c3c3c', border: '1px solid #555' },
  '.cm-tooltip': { backgroundColor: '#252526', border: '1px solid #454545', color: '#ccc' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: '#04395e', color: '#fff' },
  '.cm-specialChar': { color: '#f48771' },

  // Syntax colours (classHighlighter's classes).
  '.tok-keyword, .tok-bool, .tok-atom': { color: '#569cd6' },
  '.tok-string, .tok-string2': { color: '#ce9178' },
  '.tok-number': { color: '#b5cea8' },
  '.tok-comment': { color: '#6a9955', fontStyle: 'italic' },
  '.tok-typeName, .tok-className, .tok-namespace': { color: '#4ec9b0' },
  '.tok-variableName.tok-definition': { color: '#dcdcaa' },
  '.tok-variableName2, .tok-labelName, .tok-literal': { color: '#9cdcfe' },
  '.tok-propertyName': { color: '#9cdcfe' },
  '.tok-macroName, .tok-meta': { color: '#c586c0' },
  '.tok-operator, .tok-punctuation': { color: '#d4d4d4' },
  '.tok-heading': { color: '#569cd6', fontWeight: 'bold' },
  '.tok-emphasis': { fontStyle: 'italic' },
  '.tok-strong': { fontWeight: 'bold' },
  '.tok-link, .tok-url': { color: '#3794ff', textDecoration: 'underline' },
  '.tok-inserted': { color: '#b5cea8' },
  '.tok-deleted': { color: '#ce9178' },
  '.tok-invalid': { color: '#f44747' },
}, { dark: true });

export const darkTheme: Extension = [chrome, syntaxHighlighting(classHighlighter)];
