/**
 * Building the valid minutes once every check passed: attendance, the inputs considered with their
 * titles, decisions with their ids (numbered on from `firstDecisionNumber`), actions linked to their
 * decision and its input, the clause 9.3.3 outcomes and the assessment, in the model's types.
 */
import { decisionIdFor } from '../model/ids.ts';
import { ASSESSMENT_ASPECTS, type Attendance } from '../model/meeting.ts';
import { ValidMinutes, type MinutesDocument } from '../model/minutes.ts';
import { topManagementOf } from './attendance-checks.ts';
import type { Checked } from './meaning-checks.ts';
import { titleOf, type MinutesContext } from './reading.ts';

/** The validated minutes in the model's types (only called when nothing was wrong). */
export function buildMinutes(document: MinutesDocument, checked: Checked, ctx: MinutesContext): ValidMinutes {
  const { programme } = ctx;
  const { chair, ids: topIds } = topManagementOf(programme);
  const first = ctx.firstDecisionNumber ?? 1;
  const decisionIds = document.decisions.map((_, index) => decisionIdFor(ctx.cycle.id, first + index));
  const attendance: Attendance[] = checked.attendees.map((attendee) => {
    const person = attendee.person!;
    const role = attendee.role ?? (person.id === chair.id ? `Chair, ${person.role}` : person.role);
    return {
      personId: person.id,
      role,
      topManagement: topIds.has(person.id),
      status: attendee.status!,
      ...(attendee.proxyFor ? { proxyFor: attendee.proxyFor.id } : {}),
    };
  });
  const [hour, minute] = checked.meeting.time.split(':');
  return ValidMinutes.parse({
    cycleId: ctx.cycle.id,
    heldAt: checked.heldAt.toUTC().toISO(),
    meeting: {
      date: checked.meeting.date,
      time: `${hour!.padStart(2, '0')}:${minute}`,
      timeZone: programme.organisation.timeZone,
    },
    attendance,
    inputsConsidered: ctx.catalogueKeys.map((key) => ({
      key,
      title: titleOf(key),
      note: checked.notes.get(key),
    })),
    decisions: document.decisions.map((decision, index) => ({
      id: decisionIds[index],
      category: checked.categories.get(index),
      text: decision.text.trim(),
      ...(checked.decisionInputs.has(index) ? { inputKey: checked.decisionInputs.get(index) } : {}),
    })),
    decisionRefs: Object.fromEntries(
      document.decisions.map((decision, index) => [decisionIds[index], decision.ref.trim()]),
    ),
    actions: document.actions.map((action, index) => {
      const decisionIndex =
        action.decision === undefined || action.decision === null
          ? undefined
          : checked.refs.get(action.decision.trim().toLowerCase());
      const description = action.description?.trim();
      return {
        title: action.title.trim(),
        ...(description ? { description } : {}),
        ownerId: checked.owners.get(index)!.id,
        dueDate: action.due.trim(),
        corrective: action.corrective ?? false,
        ...(decisionIndex === undefined
          ? {}
          : {
              decisionId: decisionIds[decisionIndex],
              ...(checked.decisionInputs.has(decisionIndex)
                ? { inputKey: checked.decisionInputs.get(decisionIndex) }
                : {}),
            }),
      };
    }),
    changesToTheIsms: document.changesToTheIsms.trim(),
    resourceNeeds: document.resourceNeeds.trim(),
    assessment: Object.fromEntries(
      ASSESSMENT_ASPECTS.map((aspect) => [
        aspect,
        {
          verdict: document.assessment[aspect].verdict,
          rationale: document.assessment[aspect].rationale.trim(),
        },
      ]),
    ),
    ...(document.replaces ? { replaces: document.replaces } : {}),
  });
}
