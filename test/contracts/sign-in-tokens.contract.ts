/**
 * What every SignInTokenStore does: keeps a link by the hash of its secret, refuses a record out of
 * schema and a second link with the same hash, and redeems a link once, only before it expires.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlreadyExists, InvalidSessionId } from '#shared/store/errors.ts';
import { InvalidData } from '#shared/model/common.ts';
import type { SignInToken } from '#shared/model/sign-in-token.ts';
import { rejection, type MakeRepository } from './records.ts';

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

const aLink = (secret = 'secret-1', overrides: Partial<SignInToken> = {}): SignInToken => ({
  tokenHash: hashOf(secret),
  programmeId: 'example-ltd',
  personId: 'alice',
  issuedAt: '2027-03-01T09:00:00.000Z',
  expiresAt: '2027-03-01T09:15:00.000Z',
  ...overrides,
});

export function signInTokenStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`SignInTokenStore contract: ${name}`, () => {
    it('refuses a link out of schema, and a second link with the same hash, storing nothing new', async () => {
      const repo = await makeRepo();
      const bad = await rejection(repo.saveSignInToken(aLink('x', { tokenHash: 'not-a-hash' })));
      expect(bad).toBeInstanceOf(InvalidData);
      expect(bad.message).toContain('sign-in link is not valid: tokenHash');
      const backwards = await rejection(
        repo.saveSignInToken(aLink('y', { expiresAt: '2027-03-01T08:00:00.000Z' })),
      );
      expect(backwards.message).toContain('must expire after it was issued');
      expect(await repo.getSignInToken(hashOf('x'))).toBeUndefined();
      expect(await repo.getSignInToken(hashOf('y'))).toBeUndefined();

      await repo.saveSignInToken(aLink());
      const twice = await rejection(repo.saveSignInToken(aLink('secret-1', { personId: 'mallory' })));
      expect(twice).toBeInstanceOf(AlreadyExists);
      expect((await repo.getSignInToken(hashOf('secret-1')))?.personId).toBe('alice');
    });

    it('answers nothing for a malformed or unknown hash', async () => {
      const repo = await makeRepo();
      expect(await repo.getSignInToken('SIGNIN#../x')).toBeUndefined();
      expect(await repo.redeemSignInToken("' OR 1=1 --", '2027-03-01T09:01:00.000Z')).toBeUndefined();
      expect(
        await repo.redeemSignInToken(hashOf('never issued'), '2027-03-01T09:01:00.000Z'),
      ).toBeUndefined();
    });

    it('redeems a link exactly once, even when two redeem it at the same moment', async () => {
      const repo = await makeRepo();
      await repo.saveSignInToken(aLink());
      const results = await Promise.all([
        repo.redeemSignInToken(hashOf('secret-1'), '2027-03-01T09:05:00Z'),
        repo.redeemSignInToken(hashOf('secret-1'), '2027-03-01T09:05:00Z'),
      ]);
      const redeemed = results.filter((r) => r !== undefined);
      expect(redeemed).toHaveLength(1);
      expect(redeemed[0]).toEqual({ ...aLink(), usedAt: '2027-03-01T09:05:00.000Z' });
      expect(await repo.redeemSignInToken(hashOf('secret-1'), '2027-03-01T09:06:00.000Z')).toBeUndefined();
      expect(await repo.getSignInToken(hashOf('secret-1'))).toEqual(redeemed[0]);
    });

    it('does not redeem a link at or after its expiry, and leaves it unused', async () => {
      const repo = await makeRepo();
      await repo.saveSignInToken(aLink('late'));
      expect(await repo.redeemSignInToken(hashOf('late'), '2027-03-01T09:15:00.000Z')).toBeUndefined();
      expect(await repo.redeemSignInToken(hashOf('late'), '2027-03-01T10:00:00.000Z')).toBeUndefined();
      expect((await repo.getSignInToken(hashOf('late')))?.usedAt).toBeUndefined();
      await repo.saveSignInToken(aLink('in-time'));
      expect(await repo.redeemSignInToken(hashOf('in-time'), '2027-03-01T09:14:59.999Z')).toMatchObject({
        usedAt: '2027-03-01T09:14:59.999Z',
      });
    });

    it('refuses to end what is not a session id, and finds no such session ended', async () => {
      const repo = await makeRepo();
      for (const id of ['', 'short', 'x'.repeat(23), 'AAAAAAAAAAAAAAAAAAAA/+', "A' OR '1'='1AAAAAAAAAAA"]) {
        expect(
          await rejection(repo.endSession(id, '2027-03-01T17:00:00.000Z', '2027-03-01T09:00:00.000Z')),
        ).toBeInstanceOf(InvalidSessionId);
        expect(await repo.sessionEnded(id)).toBe(false);
      }
    });

    it('remembers a signed-out session, once however often it is signed out, and no other', async () => {
      const repo = await makeRepo();
      const id = 'AbCdEfGhIjKlMnOpQrSt-_';
      const other = 'ZyXwVuTsRqPoNmLkJiHg_-';
      expect(await repo.sessionEnded(id)).toBe(false);
      await Promise.all([
        repo.endSession(id, '2027-03-01T17:00:00.000Z', '2027-03-01T09:00:00.000Z'),
        repo.endSession(id, '2027-03-01T17:00:00.000Z', '2027-03-01T09:00:01.000Z'),
      ]);
      await repo.endSession(id, '2027-03-01T17:00:00.000Z', '2027-03-01T10:00:00.000Z');
      expect(await repo.sessionEnded(id)).toBe(true);
      expect(await repo.sessionEnded(other)).toBe(false);
    });
  });
}
