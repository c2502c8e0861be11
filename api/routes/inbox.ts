/** GET /tasks (the caller's inbox) and GET /notifications (their own mail). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page, problems } from '../schemas/common';
import { notification, notificationsQuery, task, tasksQuery } from '../schemas/inbox';

const inboxRoutes: FastifyPluginAsyncZod = async (app) => {
  const { inbox } = app.repositories;
  const security = [{ bearer: [] }];

  app.get(
    '/tasks',
    {
      config: { action: 'tasks.read' },
      schema: {
        tags: ['inbox'],
        summary: 'Every filing or batch step waiting on the caller, soonest due first',
        security,
        querystring: tasksQuery,
        response: { 200: page(task), ...problems(400, 401) },
      },
    },
    async (req) => inbox.tasks(req.caller!, req.query),
  );

  app.get(
    '/notifications',
    {
      config: { action: 'notifications.read' },
      schema: {
        tags: ['inbox'],
        summary: "The caller's notifications: reminders, escalations, decisions; newest first",
        security,
        querystring: notificationsQuery,
        response: { 200: page(notification), ...problems(400, 401) },
      },
    },
    async (req) => inbox.notifications(req.caller!, req.query),
  );
};

export default inboxRoutes;
