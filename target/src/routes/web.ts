// The web front end (/app): the three pages of the guidelines' journey and their static assets,
// built once in memory (target/src/web/assets.ts). Pages are never cached (they name the assets);
// assets are content-hashed, cached for a year and immutable (guidelines §5.1 browserCache.static).

import type { FastifyInstance } from 'fastify';
import type { TargetConfig } from '../config.ts';
import { APP_PREFIX, STATIC_PREFIX, WEB_PAGES, buildWebAssets, type WebAssets } from '../web/assets.ts';

export function webRoutes(app: FastifyInstance, config: Pick<TargetConfig, 'webInflate' | 'webRenderDelayMs'>): void {
  // built before the service listens (a few hundred ms of CPU, mostly the pictures): built later,
  // the build would stall the event loop of a service already taking requests and scrapes
  const assets: WebAssets = buildWebAssets({ inflate: config.webInflate, renderDelayMs: config.webRenderDelayMs });
  const built = () => assets;

  app.get(APP_PREFIX, (_request, reply) => { void reply.redirect(`${APP_PREFIX}/login`); });
  app.get(`${APP_PREFIX}/`, (_request, reply) => { void reply.redirect(`${APP_PREFIX}/login`); });
  for (const page of WEB_PAGES) {
    app.get(`${APP_PREFIX}/${page}`, (_request, reply) => {
      void reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(built().pages[page]);
    });
  }
  app.get(`${STATIC_PREFIX}:file`, (request, reply) => {
    const file = built().files.get((request.params as { file: string }).file);
    if (!file) return void reply.code(404).send({ error: 'not_found', message: `no asset ${request.url}` });
    void reply.header('Cache-Control', 'public, max-age=31536000, immutable').type(file.contentType).send(file.body);
  });
}
