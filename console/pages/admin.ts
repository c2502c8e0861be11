import type { FastifyInstance } from 'fastify';

export default async function adminPages(_app: FastifyInstance) {
  // filled in by the console issue (#7)
}
