/** The public directory of filed institutions in force (公布目录, 000 §五(一)4). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page, problems } from '../schemas/common';
import { directoryEntry, directoryQuery } from '../schemas/public';

const directoryRoutes: FastifyPluginAsyncZod = async (app) => {
  const { directory } = app.repositories;
  app.get(
    '/directory',
    {
      config: { action: 'directory.read' },
      schema: {
        tags: ['public'],
        summary: 'Filed institutions in force: name, code, occupations and levels, validity, supervising body, contact',
        querystring: directoryQuery,
        response: { 200: page(directoryEntry), ...problems(400) },
      },
    },
    async (req) => directory.list(req.query),
  );
};

export default directoryRoutes;
