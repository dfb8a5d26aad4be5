/**
 * Validating the minutes against the programme and the cycle, with every problem listed at once.
 * This file reads the YAML and checks it against the schema; meaning-checks.ts and
 * attendance-checks.ts relate it to the programme and the cycle, problem-report.ts places each
 * problem on its line, and build-minutes.ts builds the valid minutes.
 *
 * Each problem names where it is (`line 14 attendees[2].person: ...`), what is wrong and what
 * would be right, so the ISMS manager can fix all of them in one go: YAML syntax (line and
 * column), unknown fields, a missing meeting date, no member of top management present in person
 * (a proxy does not count), an input of the review not recorded as considered, a decision without
 * a valid category, an action without owner or due date or due in the past, an action pointing to
 * a decision the minutes do not have, a person the programme does not know (with the closest
 * names), an assessment aspect without verdict or rationale, minutes sent before the planned
 * meeting could have ended, "nothing to report" for an input nobody provided or a decision answers,
 * and no outcome on changes to the ISMS or on resources (consideration-checks.ts).
 *
 * Validation only reads: nothing is stored. "Today" and "the future" are taken from `now` in the
 * organisation's time zone.
 */
import { LineCounter, parseDocument } from 'yaml';
import { didYouMean } from '../programme/suggest.ts';
import { KNOWN_FIELDS, MAX_MINUTES_BYTES, MinutesDocument, type ValidMinutes } from '../model/minutes.ts';
import { buildMinutes } from './build-minutes.ts';
import { checkMeaning } from './meaning-checks.ts';
import { formatPath, formatProblems, type Problem } from './problem-report.ts';
import { asObject, inWords, type MinutesContext, type Path } from './reading.ts';

export type { MinutesContext } from './reading.ts';

export type MinutesValidation = { ok: true; minutes: ValidMinutes } | { ok: false; problems: string[] };

/** Spaces mail clients put in pasted text (non-breaking, thin, zero-width): YAML needs plain ones. */
const ODD_SPACES = /[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g;

/** Validates minutes text (see the module note). Never throws for bad input; never writes. */
export function validateMinutes(text: string, ctx: MinutesContext): MinutesValidation {
  if (Buffer.byteLength(text, 'utf8') > MAX_MINUTES_BYTES) {
    const kb = Math.ceil(Buffer.byteLength(text, 'utf8') / 1024);
    return {
      ok: false,
      problems: [
        `the minutes are ${kb} KB long; at most ${MAX_MINUTES_BYTES / 1024} KB are accepted: shorten the notes, ` +
          'and keep supporting documents out of the minutes',
      ],
    };
  }
  const source = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(ODD_SPACES, ' ');
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
  });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const what = error.message.split('\n')[0];
        return `line ${line}, column ${col}: YAML syntax: ${what}; keep the layout of the template (spaces, not tabs, and "name: value" on each line)`;
      }),
    };
  }
  if (doc.contents === null) {
    return {
      ok: false,
      problems: ['the minutes are empty; fill in the minutes template and send it back'],
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return { ok: false, problems: [`line 1: YAML: ${(error as Error).message}`] };
  }

  const schemaProblems: Problem[] = [];
  const schemaPaths = new Set<string>();
  const parsed = MinutesDocument.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        const known = KNOWN_FIELDS[fieldKind(path)] ?? [];
        for (const key of issue.keys) {
          schemaPaths.add(formatPath([...path, key]));
          schemaProblems.push({
            path: [...path, key],
            message: `"${key}" is not a known field here${didYouMean(key, known)}; expected ${inWords([...known])}`,
          });
        }
      } else {
        schemaPaths.add(formatPath(path));
        schemaProblems.push({ path, message: issue.message });
      }
    }
  }
  // The meaning checks read the raw values defensively; on a field the schema already faulted,
  // its problem is the more basic one and the meaning problem is dropped.
  const meaningProblems: Problem[] = [];
  const checked = checkMeaning(raw, ctx, (path, message) => {
    if (!schemaPaths.has(formatPath(path))) meaningProblems.push({ path, message });
  });
  const problems = [...schemaProblems, ...meaningProblems];
  if (problems.length > 0 || !parsed.success || !checked) {
    return { ok: false, problems: formatProblems(problems, doc, lineCounter) };
  }
  return { ok: true, minutes: buildMinutes(parsed.data, checked, ctx) };
}

/** `attendees[2]` → `attendees`; `assessment.adequacy` stays. */
function fieldKind(path: Path): string {
  return path.filter((segment) => typeof segment === 'string').join('.');
}

/**
 * The version the text says it replaces (`replaces: n`), read without validating anything else;
 * undefined when it says none or cannot be read.
 */
export function declaredReplaces(text: string): number | undefined {
  const doc = parseDocument(text.replace(ODD_SPACES, ' '), { version: '1.2', prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  try {
    const value = asObject(doc.toJS({ maxAliasCount: 50 }))?.replaces;
    return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
