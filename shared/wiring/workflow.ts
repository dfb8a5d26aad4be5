/**
 * Step Functions: the waiting steps resume the workflow, the schedule's target starts it. Two parts,
 * so that a test can stand in for the one it watches; each is an SfnWorkflow on its own client.
 */
import { SfnWorkflow } from '../adapters/sfn-workflow.ts';
import { part } from './wiring.ts';

export const workflow = part('workflow', () => new SfnWorkflow());
export const starter = part('starter', () => new SfnWorkflow());
