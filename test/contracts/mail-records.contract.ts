/**
 * What every MailRecordStore does: a Message-ID is new once, a notification is claimed once (and
 * can be given back), a reply token is stored once, and the first link from a sent message wins.
 */
import { describe, expect, it } from 'vitest';
import { InvalidData } from '#shared/model/common.ts';
import { actionIdFor } from '#shared/model/ids.ts';
import { AlreadyExists } from '#shared/store/repository.ts';
import { aReplyToken, openCycle, rejection, type MakeRepository } from './records.ts';

export function mailRecordStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`MailRecordStore contract: ${name}`, () => {
    describe('bad input', () => {
      it('refuses an empty Message-ID, a malformed notification key, a token out of schema', async () => {
        const repo = await makeRepo();
        const { cycle } = await openCycle(repo);
        const seen = { at: '2026-10-06T08:00:00.000Z' };
        const empty = await rejection(repo.markMessageSeen('  ', seen));
        expect(empty).toBeInstanceOf(InvalidData);
        expect(empty.message).toContain('is empty');
        expect(await rejection(repo.linkReplyToken('', 'abcdefghij'))).toBeInstanceOf(InvalidData);
        expect(await rejection(repo.linkReplyToken('<m@x>', 'short'))).toBeInstanceOf(InvalidData);
        expect(await repo.replyTokenOfMessage('<m@x>')).toBeUndefined();
        const key = await rejection(repo.claimNotification(cycle.id, ' not a key', seen.at));
        expect(key).toBeInstanceOf(InvalidData);
        expect(key.message).toContain('notification key is not valid');
        expect((await repo.getCycleRecords(cycle.id))?.notificationsSent).toEqual([]);
        const token = await rejection(
          repo.putReplyToken(aReplyToken({ expiresAt: '2026-09-01T00:00:00.000Z' })),
        );
        expect(token).toBeInstanceOf(InvalidData);
        expect(token.message).toContain('expiresAt: a reply token must expire after it was issued');
        expect(await repo.getReplyToken(aReplyToken().tokenId)).toBeUndefined();
      });
    });

    it('a Message-ID is new once; a duplicate delivery answers false', async () => {
      const repo = await makeRepo();
      const seen = { at: '2026-10-10T10:00:00.000Z', rawS3Key: 'inbound/abc' };
      expect(await repo.markMessageSeen('<abc@mail.example.com>', seen)).toBe(true);
      expect(await repo.markMessageSeen('<abc@mail.example.com>', seen)).toBe(false);
      expect(await repo.markMessageSeen('abc@mail.example.com', seen)).toBe(false);
      expect(await repo.markMessageSeen('<def@mail.example.com>', seen)).toBe(true);
      expect(await rejection(repo.markMessageSeen(' <> ', seen))).toBeInstanceOf(InvalidData);
      expect(await repo.messageSeen(' <abc@mail.example.com> ')).toBe(true);
      // Case is kept: another case is another Message-ID.
      expect(await repo.markMessageSeen('<ABC@mail.example.com>', seen)).toBe(true);
    });

    it('a notification is claimed once, and can be given back when sending failed', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const key = `action:${actionIdFor(cycle.id, 1)}:remind-7d`;
      expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:00:00.000Z')).toBe(true);
      expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:05:00.000Z')).toBe(false);
      await repo.releaseNotification(cycle.id, key);
      expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:10:00.000Z')).toBe(true);
      expect((await repo.getCycleRecords(cycle.id))?.notificationsSent).toEqual([key]);
    });

    it('a released claim is not counted as sent meanwhile; claimed again, it holds once more', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const key = `action:${actionIdFor(cycle.id, 1)}:remind-7d`;
      expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:00:00.000Z')).toBe(true);
      await repo.releaseNotification(cycle.id, key);
      expect((await repo.getCycleRecords(cycle.id))?.notificationsSent).toEqual([]);
      expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:10:00.000Z')).toBe(true);
      expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:11:00.000Z')).toBe(false);
      expect((await repo.getCycleRecords(cycle.id))?.notificationsSent).toEqual([key]);
    });

    it('releasing what was never claimed changes nothing: the claim is still free', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const key = `action:${actionIdFor(cycle.id, 2)}:remind-7d`;
      await repo.releaseNotification(cycle.id, key);
      expect((await repo.getCycleRecords(cycle.id))?.notificationsSent).toEqual([]);
      expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:00:00.000Z')).toBe(true);
    });

    it('keeps claims apart by cycle and key, and lists them in key order', async () => {
      const repo = await makeRepo();
      const { cycle } = await openCycle(repo);
      const at = '2026-12-08T07:00:00.000Z';
      expect(await repo.claimNotification(cycle.id, 'package', at)).toBe(true);
      expect(await repo.claimNotification(cycle.id, 'minutes-reminder', at)).toBe(true);
      expect(await repo.claimNotification('C-20270101T0800Z-Q', 'package', at)).toBe(true);
      expect((await repo.getCycleRecords(cycle.id))?.notificationsSent).toEqual([
        'minutes-reminder',
        'package',
      ]);
    });

    it('stores a reply token under its id once', async () => {
      const repo = await makeRepo();
      const record = aReplyToken();
      await repo.putReplyToken(record);
      expect(await repo.getReplyToken(record.tokenId)).toEqual(record);
      const again = await rejection(repo.putReplyToken({ ...record, recipientId: 'mallory' }));
      expect(again).toBeInstanceOf(AlreadyExists);
      expect(again.message).toBe(`reply token ${record.tokenId} already exists: issue a new token id`);
      expect(await repo.getReplyToken(record.tokenId)).toEqual(record);
      expect(await repo.getReplyToken('rt_unknown000')).toBeUndefined();
    });

    it('links with the token’s expiry given as without it; an expiry that is not a time is refused', async () => {
      const repo = await makeRepo();
      const token = aReplyToken();
      await repo.putReplyToken(token);
      const bad = await rejection(repo.linkReplyToken('<request-9@isms.example.com>', token.tokenId, 'soon'));
      expect(bad).toBeInstanceOf(InvalidData);
      expect(await repo.replyTokenOfMessage('<request-9@isms.example.com>')).toBeUndefined();
      await repo.linkReplyToken('<request-9@isms.example.com>', token.tokenId, token.expiresAt);
      expect(await repo.replyTokenOfMessage('request-9@isms.example.com')).toBe(token.tokenId);
    });

    it('links a sent Message-ID to its reply token: the first link wins, brackets and spaces do not count', async () => {
      const repo = await makeRepo();
      await repo.putReplyToken(aReplyToken());
      await repo.linkReplyToken('<request-1@isms.example.com>', 'rt_0123456789');
      await repo.linkReplyToken('request-1@isms.example.com', 'rt_9876543210');
      expect(await repo.replyTokenOfMessage(' <request-1@isms.example.com> ')).toBe('rt_0123456789');
      expect(await repo.replyTokenOfMessage('<request-2@isms.example.com>')).toBeUndefined();
      expect(await repo.replyTokenOfMessage('<>')).toBeUndefined();
      // A link may name a token not stored (yet): the lookup answers the id, the token read says whether it exists.
      await repo.linkReplyToken('<request-3@isms.example.com>', 'rt_notstored');
      expect(await repo.replyTokenOfMessage('<request-3@isms.example.com>')).toBe('rt_notstored');
    });

    it('hands out copies: changing a returned token changes nothing stored', async () => {
      const repo = await makeRepo();
      await repo.putReplyToken(aReplyToken());
      const read = (await repo.getReplyToken(aReplyToken().tokenId))!;
      read.recipientId = 'mallory';
      expect(await repo.getReplyToken(aReplyToken().tokenId)).toEqual(aReplyToken());
    });
  });
}
