// The lab's generated secrets: every run makes its own (the lab has no default password).

import { randomBytes } from 'node:crypto';

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
