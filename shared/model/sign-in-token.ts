/**
 * A sign-in link of the web app, as stored: only the SHA-256 of the secret in the link, never the
 * secret itself, so a copy of the table signs nobody in. Issued for 15 minutes, redeemed once.
 */
import * as z from 'zod';
import { PersonId, ProgrammeId, Sha256Hex, UtcTimestamp } from './common.ts';

/** How long a sign-in link works after it is issued. */
export const SIGN_IN_LINK_MINUTES = 15;

export const SignInToken = z
  .strictObject({
    /** SHA-256 (hex) of the secret the link carries. */
    tokenHash: Sha256Hex,
    programmeId: ProgrammeId,
    /** The programme member it signs in. */
    personId: PersonId,
    issuedAt: UtcTimestamp,
    expiresAt: UtcTimestamp,
    /** Set once, when the link is used: a link signs in only once. */
    usedAt: z.optional(UtcTimestamp),
  })
  .refine((token) => Date.parse(token.issuedAt) < Date.parse(token.expiresAt), {
    error: 'a sign-in link must expire after it was issued',
    path: ['expiresAt'],
  });
export type SignInToken = z.infer<typeof SignInToken>;
