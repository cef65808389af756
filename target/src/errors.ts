// Errors a handler throws to answer 4xx/5xx with the contract's body {error, message}.

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} ${JSON.stringify(id)} not found`);
