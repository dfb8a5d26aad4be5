/**
 * What the minutes of a clause 9.3 meeting are made of: attendance, decisions (9.3.3) and the
 * overall assessment of the ISMS, each of its four aspects a separate verdict with its rationale.
 */
import * as z from 'zod';
import { InputKey, NonEmptyText, PersonId } from './common.ts';
import { DecisionId } from './ids.ts';

export const ATTENDANCE_STATUSES = ['present', 'absent', 'proxy'] as const;

/**
 * One participant. A proxy is the person who attended in someone's place: status `proxy`,
 * `proxyFor` the person represented. `topManagement` is whether THIS person is top management,
 * so a proxy for the chair does not count as top management attending.
 */
export const Attendance = z
  .strictObject({
    personId: PersonId,
    /** Their role in the meeting, e.g. Chair, CEO, ISMS manager. */
    role: NonEmptyText,
    topManagement: z.boolean(),
    status: z.enum(ATTENDANCE_STATUSES, { error: 'expected attendance present, absent or proxy' }),
    proxyFor: z.optional(PersonId),
  })
  .superRefine((attendance, ctx) => {
    if (attendance.status === 'proxy' && !attendance.proxyFor) {
      ctx.addIssue({
        code: 'custom',
        path: ['proxyFor'],
        message: `${attendance.personId} attended as a proxy: say for whom (proxyFor)`,
      });
    }
    if (attendance.status !== 'proxy' && attendance.proxyFor) {
      ctx.addIssue({
        code: 'custom',
        path: ['proxyFor'],
        message: `${attendance.personId} is marked ${attendance.status}; only a proxy names someone in proxyFor`,
      });
    }
    if (attendance.proxyFor === attendance.personId) {
      ctx.addIssue({ code: 'custom', path: ['proxyFor'], message: 'a person cannot be their own proxy' });
    }
  });
export type Attendance = z.infer<typeof Attendance>;

export const DECISION_CATEGORIES = [
  'resource_allocation',
  'security_objectives',
  'risk_treatment_approach',
  'processes_and_controls',
  'isms_changes',
  'other',
] as const;
export const DecisionCategory = z.enum(DECISION_CATEGORIES, {
  error: `expected a decision category: ${DECISION_CATEGORIES.join(', ')}`,
});
export type DecisionCategory = z.infer<typeof DecisionCategory>;

/** How each category reads in the minutes and the package. */
export const DECISION_CATEGORY_TITLES: Record<DecisionCategory, string> = {
  resource_allocation: 'Resource allocation',
  security_objectives: 'Changes to information security objectives',
  risk_treatment_approach: 'Changes to the risk treatment approach',
  processes_and_controls: 'Improvements to processes and controls',
  isms_changes: 'Other changes to the ISMS',
  other: 'Other',
};

export const Decision = z.strictObject({
  id: DecisionId,
  category: DecisionCategory,
  text: NonEmptyText,
  /** The input this decision answers (e.g. `f` for a risk treatment decision), if any. */
  inputKey: z.optional(InputKey),
});
export type Decision = z.infer<typeof Decision>;

/**
 * A verdict on one aspect of the ISMS: `yes` it is (suitable, adequate, effective, aligned),
 * `partly`, or `no`. Each verdict carries its rationale.
 */
export const VERDICTS = ['yes', 'partly', 'no'] as const;
export const Verdict = z.strictObject({
  verdict: z.enum(VERDICTS, { error: 'expected a verdict: yes, partly or no' }),
  rationale: NonEmptyText,
});
export type Verdict = z.infer<typeof Verdict>;

export const ASSESSMENT_ASPECTS = ['suitability', 'adequacy', 'effectiveness', 'alignment'] as const;
export type AssessmentAspect = (typeof ASSESSMENT_ASPECTS)[number];

/** The overall assessment of the ISMS: four separate verdicts (alignment = with strategic direction). */
export const Assessment = z.strictObject({
  suitability: Verdict,
  adequacy: Verdict,
  effectiveness: Verdict,
  alignment: Verdict,
});
export type Assessment = z.infer<typeof Assessment>;
