/**
 * The browser project's global setup: without Chromium the run stops at once, naming where it
 * looked and how to install it.
 */
import { requireChromium } from '#test/support/prerequisites.ts';

export default function setup(): void {
  requireChromium();
}
