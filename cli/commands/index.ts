import { actionDecide, actionExtension, actionShow, actionsList, actionUpdate } from './actions.ts';
import { cycleList, cycleMove, cycleShow, cycleStart } from './cycle.ts';
import { evidenceExport, evidenceVerify } from './evidence.ts';
import { minutesSubmit } from './minutes.ts';
import { programmeApply, programmeValidate } from './programme.ts';
import { status } from './status.ts';
import type { Command } from './types.ts';

export type { Command } from './types.ts';

export const commands: Command[] = [
  status,
  programmeValidate,
  programmeApply,
  cycleStart,
  cycleList,
  cycleShow,
  cycleMove,
  evidenceExport,
  evidenceVerify,
  minutesSubmit,
  actionsList,
  actionUpdate,
  actionDecide,
  actionExtension,
  actionShow,
];
