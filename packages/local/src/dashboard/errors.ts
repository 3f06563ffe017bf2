/** Base of the errors the dashboard turns into an HTTP status; the message is shown to the user as is. */
export class DashboardError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DashboardError';
  }
}

/** A request the server will not act on (bad JSON shape, unknown job, invalid payload or schedule); 400. */
export class BadRequestError extends DashboardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 400, options);
    this.name = 'BadRequestError';
  }
}

/** A state-changing request without the run's token or from another origin; 403, and nothing changes. */
export class ForbiddenError extends DashboardError {
  constructor(message: string) {
    super(message, 403);
    this.name = 'ForbiddenError';
  }
}

/** A job or schedule that the running stack does not have; 404. */
export class NotFoundError extends DashboardError {
  constructor(message: string) {
    super(message, 404);
    this.name = 'NotFoundError';
  }
}
