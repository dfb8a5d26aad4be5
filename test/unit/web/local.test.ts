/**
 * The web app on one machine: `npm start`'s --port-web / ISMS_PORT_WEB setting. (Its session keys
 * come from the data folder's reply keyring, as every handler's REPLY_KEY: shared/wiring/web.ts.)
 */
import { describe, expect, it } from 'vitest';
import { BadStartOption, DEFAULT_WEB_PORT, parseStartSettings } from '#infra/local/start.ts';

describe('the local web settings', () => {
  it('refuses a web port that is no port, naming the flag or variable', () => {
    expect(() => parseStartSettings(['--port-web', 'eighty'], {})).toThrow(
      '--port-web must be a port number from 0 to 65535, not "eighty".',
    );
    expect(() => parseStartSettings([], { ISMS_PORT_WEB: '70000' })).toThrow(BadStartOption);
    expect(() => parseStartSettings([], { ISMS_PORT_WEB: '70000' })).toThrow(/ISMS_PORT_WEB must be a port/);
  });

  it('serves on 8080 by default; the flag wins over the variable; 0 asks for a free port', () => {
    expect(parseStartSettings([], {}).webPort).toBe(DEFAULT_WEB_PORT);
    expect(DEFAULT_WEB_PORT).toBe(8080);
    expect(parseStartSettings([], { ISMS_PORT_WEB: '9090' }).webPort).toBe(9090);
    expect(parseStartSettings(['--port-web=0'], { ISMS_PORT_WEB: '9090' }).webPort).toBe(0);
  });
});
