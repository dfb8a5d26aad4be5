/** The anchors under `anchors/` in the evidence bucket, written once each under their lock. */
import { createAnchorStore } from '../adapters/s3-anchor-store.ts';
import { part } from './wiring.ts';

export const anchorStore = part('anchors', (wiring) => createAnchorStore({ env: wiring.env }));
