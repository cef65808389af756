// Report jobs and file uploads.

import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { UUID_RE } from '../catalogue.ts';
import type { Deps } from '../deps.ts';
import { HttpError, notFound } from '../errors.ts';
import type { ReportJobs, ReportRequest } from '../reports.ts';
import { DATE_SCHEMA, isRealDate } from '../validation.ts';

/** The request's upload limit: 10 MiB ("< 5s for 10MB files"); larger answers 413. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export function jobRoutes(app: FastifyInstance, deps: Deps, reports: ReportJobs): void {
  app.post<{ Body: ReportRequest }>(
    '/reports/generate',
    {
      schema: {
        body: {
          type: 'object',
          required: ['type', 'studentIds', 'dateRange'],
          properties: {
            type: { type: 'string', minLength: 1, maxLength: 64 },
            studentIds: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'string', minLength: 1, maxLength: 128 } },
            dateRange: {
              type: 'object',
              required: ['start', 'end'],
              properties: { start: DATE_SCHEMA, end: DATE_SCHEMA },
            },
          },
        },
      },
    },
    async (request) => {
      const { start, end } = request.body.dateRange;
      for (const [name, value] of [['start', start], ['end', end]] as const) {
        if (!isRealDate(value)) throw new HttpError(400, 'bad_request', `dateRange.${name} (${value}) is not a calendar date YYYY-MM-DD`);
      }
      if (start > end) throw new HttpError(400, 'bad_request', `dateRange.start (${start}) is after dateRange.end (${end})`);
      const jobId = await reports.submit(request.timing, request.body);
      return { jobId, status: 'queued' };
    },
  );

  app.get<{ Params: { jobId: string } }>(
    '/reports/:jobId',
    { schema: { params: { type: 'object', required: ['jobId'], properties: { jobId: { type: 'string', maxLength: 64 } } } } },
    async (request) => {
      const { jobId } = request.params;
      if (!UUID_RE.test(jobId)) throw notFound('report job', jobId);
      // The primary: a job's status changes within milliseconds, a replica may lag behind it.
      const { rows } = await deps.db.readPrimary<{ jobId: string; type: string; status: string; createdAt: Date; result: unknown }>(
        request.timing,
        'SELECT id AS "jobId", type, status, created_at AS "createdAt", result FROM report_jobs WHERE id = $1',
        [jobId],
      );
      const job = rows[0];
      if (!job) throw notFound('report job', jobId);
      const { result, ...rest } = job;
      return result === null ? rest : { ...rest, result };
    },
  );

  app.post('/uploads', async (request) => {
    if (!request.isMultipart()) throw new HttpError(400, 'bad_request', 'expected multipart/form-data with a field named "file"');
    const part = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
    if (!part || part.fieldname !== 'file') throw new HttpError(400, 'bad_request', 'expected a file in the field named "file"');
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    if (part.file.truncated) throw new HttpError(413, 'file_too_large', `file is larger than ${MAX_UPLOAD_BYTES} bytes`);
    const uploadId = randomUUID();
    const sha256 = hash.digest('hex');
    await deps.db.write(request.timing, 'INSERT INTO uploads (id, filename, bytes, sha256) VALUES ($1, $2, $3, $4)', [
      uploadId,
      part.filename.slice(0, 255),
      bytes,
      sha256,
    ]);
    return { uploadId, bytes, sha256, filename: part.filename };
  });
}
