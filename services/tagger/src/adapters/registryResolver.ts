// ModelResolver over the registry's published API (the trainer-orchestrator's GET /models).
import { RegistryClient } from '@zhner/contracts';
import type { ModelResolver, ResolvedModel } from '../app/ports';

export class RegistryResolver implements ModelResolver {
  private readonly client: RegistryClient;

  constructor(baseUrl: string, timeoutMs = 10_000) {
    this.client = new RegistryClient(baseUrl, timeoutMs);
  }

  async resolve(version: string): Promise<ResolvedModel | undefined> {
    const v = await this.client.model(version);
    return v && { version: v.version, uri: v.uri, manifestSha256: v.manifestSha256 };
  }

  async promoted(): Promise<ResolvedModel | undefined> {
    const v = await this.client.promoted();
    return v && { version: v.version, uri: v.uri, manifestSha256: v.manifestSha256 };
  }
}
