/** The review's records: zod schemas and the types inferred from them. */
export * from './common.ts';
export * from './ids.ts';
export * from './programme-ref.ts';
export * from './cycle.ts';
export * from './input.ts';
export * from './meeting.ts';
export * from './action.ts';
export * from './event.ts';
export * from './records.ts';
