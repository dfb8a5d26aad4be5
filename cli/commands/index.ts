import { cycleList, cycleShow, cycleStart } from './cycle.ts';
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
];
