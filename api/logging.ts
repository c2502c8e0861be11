/**
 * Logger options. Personal data never reaches the logs: request bodies are not logged, and the
 * paths below are redacted wherever they appear in a logged object.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  '*.idNumber', '*.phone', '*.contact.phone', '*.candidates[*].idNumber',
  'idNumber', 'phone',
];

export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id: string }) {
        // query strings may carry an ID number (GET /certificates?idNumber=): log the path only
        return { method: req.method, url: req.url.split('?')[0], id: req.id };
      },
    },
  };
}
