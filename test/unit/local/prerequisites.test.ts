import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChromiumMissing,
  JavaMissing,
  chromiumPath,
  javaMajorVersion,
  requireChromium,
  requireJava,
} from '#test/support/prerequisites.ts';

const root = mkdtempSync(join(tmpdir(), 'isms-prereq-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A folder holding only a fake `java` that prints `versionLine` as `java -version` does (on stderr). */
function fakeJavaDir(name: string, versionLine: string, exitCode = 0): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const java = join(dir, 'java');
  writeFileSync(java, `#!/bin/sh\necho '${versionLine}' >&2\nexit ${exitCode}\n`);
  chmodSync(java, 0o755);
  return dir;
}

describe('javaMajorVersion', () => {
  it('reads modern and 1.x version strings', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('java version "1.8.0_301"')).toBe(8);
    expect(javaMajorVersion('no version here')).toBeUndefined();
  });
});

describe('requireJava', () => {
  it('stops with JavaMissing, naming Java 17 and how to install it, when PATH has no java', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const check = () => requireJava({ PATH: empty });
    expect(check).toThrow(JavaMissing);
    expect(check).toThrow(/Java 17 or newer is needed for the emulated tests .*: no `java` on PATH/);
    expect(check).toThrow(/apt-get install openjdk-17-jre-headless/);
    expect(check).toThrow(/brew install openjdk@17/);
  });

  it('stops with JavaMissing when the java on PATH is older than 17', () => {
    const dir = fakeJavaDir('java11', 'openjdk version "11.0.2" 2019-01-15');
    expect(() => requireJava({ PATH: dir })).toThrow(JavaMissing);
    expect(() => requireJava({ PATH: dir })).toThrow(/the `java` on PATH is Java 11/);
  });

  it('stops with JavaMissing when java fails or reports no version', () => {
    const dir = fakeJavaDir('broken', 'Error: could not find libjava.so', 1);
    expect(() => requireJava({ PATH: dir })).toThrow(
      /did not report a version \(Error: could not find libjava.so\)/,
    );
  });

  it('returns the major version of a java 17 or newer on PATH', () => {
    expect(requireJava({ PATH: fakeJavaDir('java17', 'openjdk version "17.0.15" 2025-04-15') })).toBe(17);
    expect(requireJava({ PATH: fakeJavaDir('java21', 'openjdk version "21" 2023-09-19') })).toBe(21);
  });
});

describe('requireChromium', () => {
  it('looks at CHROMIUM_PATH, else /usr/bin/chromium', () => {
    expect(chromiumPath({})).toBe('/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '' })).toBe('/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chrome/chrome' })).toBe('/opt/chrome/chrome');
  });

  it('stops with ChromiumMissing, naming the path and how to install it, when nothing is there', () => {
    const missing = join(root, 'no-such-chromium');
    const check = () => requireChromium({ CHROMIUM_PATH: missing });
    expect(check).toThrow(ChromiumMissing);
    expect(check).toThrow(
      `Chromium is needed for the browser tests: nothing at ${missing} (CHROMIUM_PATH is ${missing})`,
    );
    expect(check).toThrow(/apt-get install chromium/);
    expect(check).toThrow(/brew install --cask chromium/);
  });

  it('stops with ChromiumMissing when the path is a folder or not executable', () => {
    expect(() => requireChromium({ CHROMIUM_PATH: root })).toThrow(/is not an executable file/);
    const plain = join(root, 'chromium-not-executable');
    writeFileSync(plain, '');
    chmodSync(plain, 0o644);
    expect(() => requireChromium({ CHROMIUM_PATH: plain })).toThrow(ChromiumMissing);
  });

  it('returns an executable CHROMIUM_PATH', () => {
    const fake = join(root, 'chromium');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(requireChromium({ CHROMIUM_PATH: fake })).toBe(fake);
  });
});
