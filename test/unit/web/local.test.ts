/**
 * The web app on one machine: `npm start`'s --port-web / ISMS_PORT_WEB setting, and the session key
 * generated once into the data folder (kept for the next start, readable by its owner only).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadStartOption, DEFAULT_WEB_PORT, parseStartSettings } from '#infra/local/start.ts';
import { localSessionKey, WEB_SESSION_KEY_FILE } from '#infra/local/web.ts';
import { WebSettingInvalid } from '#shared/web/errors.ts';

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

  it('generates the session key once, keeps it for the owner only, and refuses a broken one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'isms-web-key-'));
    try {
      const first = await localSessionKey(dir);
      expect(first).toHaveLength(32);
      expect((await localSessionKey(dir)).equals(first)).toBe(true);
      expect((await stat(join(dir, WEB_SESSION_KEY_FILE))).mode & 0o777).toBe(0o600);
      expect((await readFile(join(dir, WEB_SESSION_KEY_FILE), 'utf8')).trim()).toBe(first.toString('hex'));
      await writeFile(join(dir, WEB_SESSION_KEY_FILE), 'not hex at all\n');
      await expect(localSessionKey(dir)).rejects.toThrow(WebSettingInvalid);
      await expect(localSessionKey(dir)).rejects.toThrow('at least 32 random bytes');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
