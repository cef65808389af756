// Asynchronous report generation: a job row is written (queued), answered at once with its id,
// and worked on in this process in the background (running -> done | failed). Shutdown waits
// for jobs already running.

import { randomUUID } from 'node:crypto';
import type { Database } from './db/database.ts';
import { RequestTiming } from './timing.ts';

export interface ReportRequest {
  type: string;
  studentIds: string[];
  dateRange: { start: string; end: string };
}

export class ReportJobs {
  private readonly running = new Set<Promise<void>>();
  private readonly queue: { id: string; request: ReportRequest }[] = [];
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly concurrency = 2,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  async submit(timing: RequestTiming, request: ReportRequest): Promise<string> {
    const id = randomUUID();
    await this.db.write(timing, `INSERT INTO report_jobs (id, type, status, params) VALUES ($1, $2, 'queued', $3)`, [
      id,
      request.type,
      JSON.stringify(request),
    ]);
    this.queue.push({ id, request });
    this.pump();
    return id;
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const work = this.run(job.id, job.request).finally(() => {
        this.running.delete(work);
        this.pump();
      });
      this.running.add(work);
    }
  }

  private async run(id: string, request: ReportRequest): Promise<void> {
    const timing = new RequestTiming();
    try {
      await this.db.write(timing, `UPDATE report_jobs SET status = 'running', updated_at = now() WHERE id = $1`, [id]);
      const range = [request.studentIds, request.dateRange.start, request.dateRange.end];
      const totals = await this.db.read<{ students: number; selections: number }>(
        timing,
        `SELECT count(DISTINCT student_id)::int AS students, count(*)::int AS selections FROM career_history
          WHERE student_id = ANY($1::text[]) AND selected_date >= $2::date AND selected_date < $3::date + 1`,
        range,
      );
      const byCareer = await this.db.read(
        timing,
        `SELECT career_id AS "careerId", count(*)::int AS selections FROM career_history
          WHERE student_id = ANY($1::text[]) AND selected_date >= $2::date AND selected_date < $3::date + 1
          GROUP BY career_id ORDER BY count(*) DESC, career_id LIMIT 20`,
        range,
      );
      const result = { ...totals.rows[0], byCareer: byCareer.rows, dbMs: Math.round(timing.dbMs) };
      await this.db.write(timing, `UPDATE report_jobs SET status = 'done', result = $2, updated_at = now() WHERE id = $1`, [id, JSON.stringify(result)]);
    } catch (err) {
      this.onError(err as Error);
      await this.db
        .write(timing, `UPDATE report_jobs SET status = 'failed', result = $2, updated_at = now() WHERE id = $1`, [
          id,
          JSON.stringify({ error: (err as Error).message }),
        ])
        .catch(() => undefined);
    }
  }

  /** Stops taking queued jobs and waits for the running ones (queued ones stay 'queued'). */
  async drain(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running]);
  }
}
