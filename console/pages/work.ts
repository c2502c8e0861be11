import type { FastifyInstance } from 'fastify';

export default async function workPages(_app: FastifyInstance) {
  // filled in by the console issue (#7)
}
