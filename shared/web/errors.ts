/** What the web app refuses, each a named error whose message says what is wrong and what to do. */

/** The session cookie is missing, malformed, tampered with or expired: sign in again. */
export class SessionInvalid extends Error {
  override name = 'SessionInvalid' as const;
}

/** The person of a valid session is no longer in the programme (or has no role in it any more). */
export class NotInProgramme extends Error {
  override name = 'NotInProgramme' as const;
}

/** A form came without the CSRF token of the session, or with another one. */
export class CsrfRejected extends Error {
  override name = 'CsrfRejected' as const;
}

/** The signed-in person may not do this, or see this. */
export class Forbidden extends Error {
  override name = 'Forbidden' as const;
}

/** The sign-in link is unknown, used already, or expired. */
export class SignInLinkInvalid extends Error {
  override name = 'SignInLinkInvalid' as const;
  constructor(
    readonly reason: 'unknown' | 'used' | 'expired',
    message: string,
  ) {
    super(message);
  }
}

/** Too many sign-in links were asked for, by this address or this client, in the last hour. */
export class TooManySignInRequests extends Error {
  override name = 'TooManySignInRequests' as const;
}

/** The address is not that of a person of the programme (told to the CLI only, never on the web page). */
export class NotAMember extends Error {
  override name = 'NotAMember' as const;
}

/** A web setting (the session key, the base URL) is missing or unusable. */
export class WebSettingInvalid extends Error {
  override name = 'WebSettingInvalid' as const;
}
