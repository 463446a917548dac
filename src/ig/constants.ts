/** Size limit of the guide's validate endpoint (and the figure its page shows). */
export const DEFAULT_VALIDATE_MAX_BYTES = 5 * 1024 * 1024;
