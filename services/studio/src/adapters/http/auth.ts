// Route guards: every write route carries `preHandler: requireRole(...)`, which authenticates the
// bearer token and puts the principal on the request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../app/auth';
import type { Principal } from '../../app/ports';
import type { Role } from '../../domain/tokens';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function requireRole(auth: Authenticator, role: Role) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const p = await auth.authenticate(req.headers.authorization);
    auth.requireRole(p, role);
    req.principal = p;
  };
}

/** The principal of a guarded route. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new TypeError('route is missing its requireRole preHandler');
  return req.principal;
}
