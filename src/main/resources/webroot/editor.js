/**
 * A code editor for the console's fields: CodeMirror 6 with JavaScript highlighting (stable `tok-*` classes,
 * coloured in style.css), line numbers, matching brackets, auto-closed brackets, undo history and Ctrl+Enter.
 * `markError(line, column, message)` marks the failing line of a job error until the text is edited.
 * The host element gets an `editor` property (this object), so tests and other scripts can read and set
 * `host.editor.value`.
 */
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration, EditorView, WidgetType, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap,
  lineNumbers, placeholder,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { javascript } from '@codemirror/lang-javascript';
import { classHighlighter } from '@lezer/highlight';

const setError = StateEffect.define();

/** The marked error: a line background, a wavy underline from the column, and the message under the line. */
const errorField = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    if (tr.docChanged) {
      return Decoration.none; // the text changed: the mark may no longer be true
    }
    for (const effect of tr.effects) {
      if (effect.is(setError)) {
        marks = effect.value ? errorDecorations(tr.state, effect.value) : Decoration.none;
      }
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

class ErrorMessage extends WidgetType {
  constructor(message) {
    super();
    this.message = message;
  }

  eq(other) {
    return other.message === this.message;
  }

  toDOM() {
    const box = document.createElement('div');
    box.className = 'cm-error-message';
    box.dataset.testid = 'editor-error-message';
    box.textContent = this.message;
    return box;
  }
}

function errorDecorations(state, { line, column, message }) {
  const lineNumber = Math.min(Math.max(1, line), state.doc.lines);
  const at = state.doc.line(lineNumber);
  const from = Math.min(at.to, at.from + Math.max(0, (column || 1) - 1));
  const ranges = [Decoration.line({ class: 'cm-error-line', attributes: { 'data-error-line': String(lineNumber) } })
    .range(at.from)];
  if (from < at.to) {
    ranges.push(Decoration.mark({ class: 'cm-error-range' }).range(from, at.to));
  }
  if (message) {
    ranges.push(Decoration.widget({ widget: new ErrorMessage(message), side: 1, block: true }).range(at.to));
  }
  return Decoration.set(ranges, true);
}

export class CodeEditor {
  /**
   * @param {HTMLElement} host the element to fill; its `data-initial` is the first text, `data-placeholder`
   *   the text shown while empty
   * @param {{onRun?: () => void, label?: string, wrap?: boolean}} options onRun: called on Ctrl/Cmd+Enter;
   *   wrap: long lines wrap (for data)
   */
  constructor(host, { onRun, label, wrap = false } = {}) {
    const runKey = { key: 'Mod-Enter', run: () => { onRun?.(); return true; } };
    this.view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: host.dataset.initial || '',
        extensions: [
          lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), history(), drawSelection(),
          indentOnInput(), bracketMatching(), closeBrackets(), javascript(),
          syntaxHighlighting(classHighlighter), EditorState.tabSize.of(2),
          keymap.of([runKey, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
          host.dataset.placeholder ? placeholder(host.dataset.placeholder) : [],
          EditorView.contentAttributes.of({ 'aria-label': label || host.id, spellcheck: 'false' }),
          errorField,
          wrap ? EditorView.lineWrapping : [],
        ],
      }),
    });
    host.editor = this;
  }

  get value() {
    return this.view.state.doc.toString();
  }

  set value(text) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  /** Marks `line` (1-based) from `column` with `message`, and scrolls it into view. */
  markError(line, column, message) {
    const lineNumber = Math.min(Math.max(1, line), this.view.state.doc.lines);
    this.view.dispatch({
      effects: [setError.of({ line: lineNumber, column, message }),
        EditorView.scrollIntoView(this.view.state.doc.line(lineNumber).from, { y: 'center' })],
    });
  }

  clearError() {
    this.view.dispatch({ effects: setError.of(null) });
  }

  focus() {
    this.view.focus();
  }
}
