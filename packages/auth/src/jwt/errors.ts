/** Bounded reason words for refused credentials: metric labels and audit reasons, never shown to callers. */
export type AuthFailureReason =
  | 'missing'
  | 'unsupported'
  | 'malformed'
  | 'too_long'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_exp'
  | 'too_old'
  | 'bad_signature'
  | 'bad_issuer'
  | 'bad_audience'
  | 'unknown_kid'
  | 'jwks_unavailable'
  | 'algorithm'
  | 'crit_unsupported'
  | 'no_subject'
  | 'invalid_subject'
  | 'throttled';

/** Internal failure carrying only a reason word; the stage turns it into the generic public error. */
export class CredentialRejected extends Error {
  constructor(readonly reason: AuthFailureReason) {
    super(reason);
    this.name = 'CredentialRejected';
  }
}
