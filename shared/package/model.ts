/**
 * The review package as data: everything top management reads before the meeting, built from the
 * cycle's records (content.ts) and rendered three times (html.ts, text.ts, pdf.ts) from this one
 * model, so the email, its text alternative and the PDF say the same thing.
 *
 * Every section names the clause 9.3.2 input it comes from (`inputKey`), so a reader or an auditor
 * can trace each statement to the input that carried it. The content hash is the SHA-256 of this
 * model's canonical JSON: all three forms print it once, in the "About this document" block at the
 * end (the page footers carry no hash or id).
 *
 * Items for decision are proposals, P1, P2, ... ("Proposal P1"); the decisions the meeting takes
 * are numbered D1, D2, ... in the minutes.
 */

export interface PackagePerson {
  readonly name: string;
  readonly email?: string;
  readonly role?: string;
}

export type InputStatus = 'provided' | 'nothing-to-report' | 'not-provided';

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The same figure in the previous review, when it was reported there. */
  readonly previous?: number;
  /** The target set for the figure, when the owner gave one (same unit). */
  readonly target?: number;
}

/** Red, amber or green: how an input stands, always with the words that say why. */
export type Rag = 'red' | 'amber' | 'green';

export interface InputRag {
  readonly rag: Rag;
  /** Why, in a few words: "not provided by the deadline", "2 objectives off track", ... */
  readonly reason: string;
}

export interface PackageInputSection {
  /** The clause 9.3.2 input key (or a catalogue key of another standard). */
  readonly inputKey: string;
  readonly title: string;
  /** e.g. "ISO/IEC 27001:2022 9.3.2 d) 1)". */
  readonly clauses: readonly string[];
  readonly owner: PackagePerson;
  readonly status: InputStatus;
  /** Filled by the system (input a, from the action register). */
  readonly automatic: boolean;
  /** The owner's summary (provided) or reason (nothing to report). */
  readonly text?: string;
  readonly figures: readonly Figure[];
  readonly attachments: readonly { name: string; size: number; sha256: string }[];
  readonly decisionNeeded?: string;
  /** The owner's options, recommendation, cost or effort, and risk of not deciding (if given). */
  readonly decisionOptions?: readonly string[];
  readonly recommendation?: string;
  readonly decisionCost?: string;
  readonly riskIfNotDecided?: string;
  /** Red / amber / green status with its reason (rules in content.ts, `inputRag`). */
  readonly rag: InputRag;
  /** When the answer arrived (UTC), and whether it came after the deadline. */
  readonly receivedAt?: string;
  readonly late?: boolean;
  /** The period the input covers (yyyy-mm-dd). */
  readonly period: { readonly from: string; readonly to: string };
}

export interface ActionRow {
  readonly id: string;
  readonly title: string;
  readonly owner: string;
  /** yyyy-mm-dd */
  readonly dueDate: string;
  /** In words: open, in progress, done, verified, cancelled, closed. */
  readonly status: string;
  /** Days past the due date (overdue actions). */
  readonly daysOverdue?: number;
  /** 0 none, 1 owner told, 2 ISMS manager, 3 top management. */
  readonly escalationLevel?: number;
  /** Effectiveness check due date (done corrective actions awaiting their check). */
  readonly checkDue?: string;
  readonly checkAssignee?: string;
}

export interface ActionStatusSection {
  readonly inputKey: 'a';
  readonly overdue: readonly ActionRow[];
  readonly open: readonly ActionRow[];
  readonly closedSinceLastReview: readonly ActionRow[];
  readonly effectivenessChecksDue: readonly ActionRow[];
}

/** One point of a trend: a review (by meeting date) and a value. */
export interface TrendPoint {
  readonly cycleId: string;
  /** Short label of the review, e.g. "2026-10-05". */
  readonly label: string;
  readonly value: number;
}

export type Direction = 'better' | 'worse' | 'same' | 'unknown';

export interface TrendSeries {
  readonly inputKey: string;
  readonly metric: string;
  readonly unit: string;
  /** Oldest first; the last point is this review. */
  readonly points: readonly TrendPoint[];
  /** Whether a higher value is good (undefined when the name does not tell). */
  readonly higherIsBetter?: boolean;
  /** This review against the previous one. */
  readonly direction: Direction;
}

export interface ChartSpec {
  /** Stable id, also the image's Content-ID stem and file name: `chart-d1`. */
  readonly id: string;
  readonly inputKey: string;
  readonly title: string;
  /** What the chart shows, in words: the image's alt text. */
  readonly alt: string;
  readonly kind: 'bar' | 'line';
  readonly unit: string;
  readonly series: readonly TrendSeries[];
}

export interface TrendSection {
  readonly series: readonly TrendSeries[];
  readonly charts: readonly ChartSpec[];
  /** How many earlier reviews the trends reach back to. */
  readonly earlierReviews: number;
  readonly overall: {
    readonly better: number;
    readonly worse: number;
    readonly same: number;
    readonly verdict: string;
  };
}

export type DecisionSource =
  'overdue-action' | 'stalled-risk-treatment' | 'missing-input' | 'objective-off-track' | 'owner-flagged';

export interface DecisionItem {
  /** P1, P2, ... in the order the agenda takes them (decisions in the minutes are D1, D2, ...). */
  readonly id: string;
  /** "Proposal P1". */
  readonly label: string;
  readonly source: DecisionSource;
  /** What to decide, as one short sentence ("Fund a second supplier assessment"). */
  readonly title: string;
  /** Why it needs a decision now. */
  readonly reason: string;
  /** The input it comes from, and that input's title. */
  readonly inputKey: string;
  readonly inputTitle: string;
  /** Who raised it (the input's owner) or, for system-made items, who owns what it is about. */
  readonly owner: string;
  readonly options: readonly string[];
  /** Absent when the owner gave none (shown as "no recommendation given"). */
  readonly recommendation?: string;
  readonly cost?: string;
  readonly riskIfNotDecided?: string;
}

export interface AgendaItem {
  /** UTC start. */
  readonly start: string;
  readonly minutes: number;
  readonly title: string;
  readonly inputKeys: readonly string[];
  readonly decisionIds: readonly string[];
}

export interface ExecutiveSummary {
  readonly decisions: readonly string[];
  /** What changed since the last review; for a first review, one line saying so. */
  readonly changes: readonly string[];
  readonly trend: string;
  readonly counts: {
    readonly inputs: number;
    readonly provided: number;
    readonly nothingToReport: number;
    readonly notProvided: number;
    readonly openActions: number;
    readonly overdueActions: number;
  };
}

export interface PackageModel {
  readonly organisation: string;
  readonly timeZone: string;
  readonly cycle: {
    readonly id: string;
    readonly title: string;
    readonly type: string;
    readonly comprehensive: boolean;
  };
  readonly meeting: { readonly at: string; readonly durationMinutes: number };
  readonly builtAt: string;
  readonly previousReview?: { readonly cycleId: string; readonly meetingAt: string };
  readonly ismsManager: PackagePerson;
  readonly summary: ExecutiveSummary;
  readonly inputs: readonly PackageInputSection[];
  readonly actions: ActionStatusSection;
  readonly trends: TrendSection;
  readonly decisions: readonly DecisionItem[];
  readonly agenda: readonly AgendaItem[];
  /** Submission id per input key the package was built from (null: none). */
  readonly inputVersions: Readonly<Record<string, string | null>>;
}

/** A chart rendered to PNG. */
export interface RenderedChart {
  readonly spec: ChartSpec;
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly sha256: string;
}

/** The frozen forms of one package. */
export interface RenderedPackage {
  readonly model: PackageModel;
  /** SHA-256 of the model: printed in "About this document", recorded on the cycle. */
  readonly contentHash: string;
  /** The email body: charts as `cid:` images. */
  readonly emailHtml: string;
  /** The same document with the charts embedded as data: URIs (opens anywhere). */
  readonly html: string;
  readonly text: string;
  readonly pdf: Buffer;
  readonly charts: readonly RenderedChart[];
}

/** The Content-ID of a chart image in the email. */
export const chartCid = (chartId: string): string => `${chartId}@package.isms-review`;
