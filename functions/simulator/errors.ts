/** A request the EM refuses: answered with this status and an `Error` body carrying the message. */
export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
