// Upload test (the request's Phase 4): 100 clients uploading 1 MB files and 20 uploading 10 MB
// files at the same time, multipart/form-data, each upload checked end to end (size and SHA-256
// echoed by the service). Files are generated in memory once per VU, on first use, so a VU only
// holds the size it uploads.

import crypto from 'k6/crypto';
import http from 'k6/http';
import { json, labOptions, metrics, post, step, thinkTime, type RequestTags } from 'perflab';

export const options = labOptions({
  slas: ['upload_1mb_p95', 'upload_10mb_p95', 'upload_error_rate', 'http_error_rate', 'checks_pass_rate'],
  scenarios: {
    small_files: {
      executor: 'constant-vus',
      vus: 100,
      duration: '10m',
      exec: 'uploadOneMb',
    },
    large_files: {
      executor: 'constant-vus',
      vus: 20,
      duration: '10m',
      exec: 'uploadTenMb',
    },
  },
});

const MB = 1024 * 1024;
const PATTERN = 'perflab-upload-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ.';

interface FilePayload {
  data: string;
  sha256: string;
}
const files: Record<number, FilePayload> = {};

function fileOf(bytes: number): FilePayload {
  let file = files[bytes];
  if (!file) {
    const data = PATTERN.repeat(Math.ceil(bytes / PATTERN.length)).slice(0, bytes);
    file = { data, sha256: crypto.sha256(data, 'hex') };
    files[bytes] = file;
  }
  return file;
}

function upload(bytes: number, tags: RequestTags): void {
  const file = fileOf(bytes);
  const res = post('/api/v1/uploads', { file: http.file(file.data, `${tags.name}.bin`, 'application/octet-stream') }, tags, {
    timeout: '60s',
  });
  const body = json<{ uploadId?: string; bytes?: number; sha256?: string }>(res);
  const intact = step(
    res,
    {
      'upload accepted': (r) => r.status === 200,
      'size matches': () => body?.bytes === bytes,
      'sha256 matches': () => body?.sha256 === file.sha256,
    },
    tags,
  );
  metrics.uploadFailed.add(!intact, { ...tags });
}

export function uploadOneMb(): void {
  upload(MB, { name: 'UploadOneMb', endpoint: 'upload_1mb' });
  thinkTime(1, 3);
}

export function uploadTenMb(): void {
  upload(10 * MB, { name: 'UploadTenMb', endpoint: 'upload_10mb' });
  thinkTime(1, 3);
}

export default function (): void {
  uploadOneMb();
}
