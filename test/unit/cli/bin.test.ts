/**
 * The installed command: `bin/isms-review.mjs` loads the TypeScript sources and exits with the
 * command's code, printing --json output as one JSON document on stdout.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/isms-review.mjs', ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('bin/isms-review.mjs', () => {
  it('validates the example programme (exit 0) and reports a broken one as JSON (exit 1)', async () => {
    const [valid, broken] = await Promise.all([
      run(['programme', 'validate', 'programme.example.yaml']),
      run(['programme', 'validate', 'test/fixtures/programmes/invalid-email.yaml', '--json']),
    ]);
    expect(valid).toMatchObject({
      code: 0,
      stdout: 'programme.example.yaml is a valid review programme for Example Ltd.\n',
    });
    expect(broken.code).toBe(1);
    const result = JSON.parse(broken.stdout) as { ok: boolean; errors: { message: string }[] };
    expect(result.ok).toBe(false);
    expect(result.errors[0]?.message).toMatch(/is not an email address/);
  }, 60_000);
});
