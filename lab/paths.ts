// Where the project is on disk: the one root every module finds its files from (charts, scenarios,
// .bin/, .lab/, build/). No trailing slash.

import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
