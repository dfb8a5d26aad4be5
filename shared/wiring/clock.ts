/** The clock: the system's, or the simulated time the local runtime publishes (ISMS_CLOCK). */
import { clockFromEnvironment } from '../clock.ts';
import { part } from './wiring.ts';

export const clock = part('clock', (wiring) => clockFromEnvironment(wiring.env));
