// ModelRegistry over the registry's published API (the trainer-orchestrator's GET /models).
import { RegistryClient } from '@zhner/contracts';
import type { ModelRegistry, RegisteredModel } from '../app/ports';

export class HttpModelRegistry implements ModelRegistry {
  private readonly client: RegistryClient;

  constructor(baseUrl: string, timeoutMs = 10_000) {
    this.client = new RegistryClient(baseUrl, timeoutMs);
  }

  async model(version: string): Promise<RegisteredModel | undefined> {
    const v = await this.client.model(version);
    return v && { version: v.version, uri: v.uri, manifestSha256: v.manifestSha256 };
  }

  async promoted(): Promise<RegisteredModel | undefined> {
    const v = await this.client.promoted();
    return v && { version: v.version, uri: v.uri, manifestSha256: v.manifestSha256 };
  }
}
