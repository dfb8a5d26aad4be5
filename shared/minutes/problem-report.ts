/**
 * Reporting problems: each one with the line it is on and where in the minutes it is
 * (`line 14 attendees[2].person: ...`), sorted by line so the ISMS manager can fix them top down.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Path } from './reading.ts';

export interface Problem {
  readonly path: Path;
  readonly message: string;
}

/** `attendees[2].person`, `inputsConsidered["a b"]`, `(top level)`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** Each problem as `line <n> <path>: <message>`, in the order of the lines. */
export function formatProblems(
  problems: readonly Problem[],
  doc: Document,
  lineCounter: LineCounter,
): string[] {
  const far = Number.MAX_SAFE_INTEGER;
  return problems
    .map((entry, index) => ({ entry, index, line: positionOf(doc, lineCounter, entry.path) }))
    .sort((a, b) => (a.line ?? far) - (b.line ?? far) || a.index - b.index)
    .map(
      ({ entry, line }) =>
        `${line === undefined ? '' : `line ${line} `}${formatPath(entry.path)}: ${entry.message}`,
    );
}

/**
 * The line of a field: its name's line when it exists, else the line of the deepest part of the
 * path that exists (the list item, or the parent field's name, where the missing field belongs).
 */
function positionOf(doc: Document, lineCounter: LineCounter, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let best: Node | undefined = hasRange(node) ? node : undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      if (hasRange(pair.key)) best = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (!hasRange(node)) break;
      best = node;
    } else break;
  }
  return best?.range ? lineCounter.linePos(best.range[0]).line : undefined;
}

function hasRange(value: unknown): value is Node {
  return (isMap(value) || isSeq(value) || isScalar(value) || isAlias(value)) && Array.isArray(value.range);
}
