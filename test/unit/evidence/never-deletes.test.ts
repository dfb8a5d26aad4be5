/**
 * The application never deletes anything: no code in shared/ or functions/ deletes a DynamoDB item
 * or an S3 object (no function role holds dynamodb:DeleteItem or BatchWriteItem either; see
 * test/infra/trust.test.ts). A released notification claim is marked released, not deleted. A new
 * delete fails this test until it is removed, or listed in ALLOWED with its reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it, expect } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FOLDERS = ['shared', 'functions'];

/**
 * SDK delete commands (DeleteItemCommand, DeleteCommand, DeleteObject(s)Command, ...), delete
 * requests of BatchWriteItem, and Delete steps of TransactWriteItems. A string naming an operation
 * (e.g. 'DeleteItem' in a list of commands that report capacity) deletes nothing and is not matched.
 */
const DELETES = /\bDelete[A-Za-z]*Command\b|\bDeleteRequest\s*:|\bDelete\s*:\s*\{/;

const ALLOWED: Record<string, string> = {};

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the application never deletes records', () => {
  it('recognises each way of deleting, and not a mere name', () => {
    for (const line of [
      'await client.send(new DeleteItemCommand({ TableName, Key }));',
      'new DeleteCommand({ TableName: t, Key: k })',
      'await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } }));',
      'RequestItems: { [table]: [{ DeleteRequest: { Key: k } }] }',
      'TransactItems: [{ Delete: { TableName: t, Key: k } }]',
    ]) {
      expect(DELETES.test(line), line).toBe(true);
    }
    expect(DELETES.test("const WITH_CAPACITY = new Set(['PutItem', 'DeleteItem']);")).toBe(false);
  });

  it('has no delete of an item or object in shared/ or functions/', () => {
    const found: string[] = [];
    for (const file of FOLDERS.flatMap(sources)) {
      const path = relative(ROOT, file).split('\\').join('/');
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (DELETES.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//')) {
            found.push(`${path}:${index + 1}: ${line.trim()}`);
          }
        });
    }
    const unexpected = found.filter(
      (hit) => !Object.keys(ALLOWED).some((file) => hit.startsWith(`${file}:`)),
    );
    expect(unexpected, 'a delete was added; records are never deleted (see the note of this test)').toEqual(
      [],
    );
    expect(found).toEqual([]);
  });
});
