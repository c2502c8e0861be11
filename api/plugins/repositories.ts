/**
 * The read-model repositories (api/repositories/*) and the Temporal client side (api/cases.ts),
 * created once and shared by every route as `app.repositories` and `app.cases`.
 */
import fp from 'fastify-plugin';
import { createFilingsRepository } from '../repositories/filings';
import { createBatchesRepository } from '../repositories/batches';
import { createRegistriesRepository } from '../repositories/registries';
import { createDirectoryRepository } from '../repositories/directory';
import { createCertificatesRepository } from '../repositories/certificates';
import { createInboxRepository } from '../repositories/inbox';
import { createStatisticsRepository } from '../repositories/statistics';
import { createComplaintsRepository } from '../repositories/complaints';
import { createAnnualPlansRepository } from '../repositories/annual-plans';
import { createCases, type Cases } from '../cases';
import { watchCertificateChanges } from '../certificate-changes';
import { documentStore } from '../../models/documents';

function createRepositories(app: { services: import('../../infra/services').Services }) {
  const { models, clock } = app.services;
  const certificates = createCertificatesRepository(models, app.services.signing, app.services.settings.CERTIFICATE_CACHE_SECONDS);
  return {
    filings: createFilingsRepository(models, clock),
    batches: createBatchesRepository(models, clock),
    registries: createRegistriesRepository(models),
    directory: createDirectoryRepository(models),
    certificates,
    complaints: createComplaintsRepository(models, certificates),
    inbox: createInboxRepository(models, clock),
    statistics: createStatisticsRepository(models, clock),
    annualPlans: createAnnualPlansRepository(models),
    /** material documents' bytes (GridFS on the same database) */
    documents: documentStore(app.services.db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;

declare module 'fastify' {
  interface FastifyInstance {
    repositories: Repositories;
    cases: Cases;
  }
}

export default fp(
  async (app) => {
    const repositories = createRepositories(app);
    app.decorate('repositories', repositories);
    const { lookups } = repositories.certificates;
    if (lookups.enabled) {
      const watch = watchCertificateChanges(app.services.models, lookups, {
        onError: (err) => app.log.warn({ err }, 'certificate changes unreadable: look-ups go to the database until they are readable again'),
      });
      app.addHook('onClose', (_app, done) => (watch.stop(), done()));
    }
    app.decorate(
      'cases',
      createCases({
        ...app.services.temporal,
        callTimeoutMs: app.services.settings.TEMPORAL_CALL_TIMEOUT_MS,
        metrics: app.hasDecorator('metrics') ? app.metrics : undefined,
        onCertificateChanged: (number) => repositories.certificates.forget(number),
      }),
    );
  },
  { name: 'repositories', dependencies: ['services'] },
);
