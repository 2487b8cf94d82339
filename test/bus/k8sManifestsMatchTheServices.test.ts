// The Kubernetes manifests (deploy/k8s) against the code they deploy: every file parses; every
// Deployment runs an existing service on the port its main.ts uses, probes /readyz and /healthz,
// sets resources; every env var it sets (directly or from the ConfigMap) is one the service's
// config schema knows, and the whole environment loads without a configuration error; every
// Secret, ConfigMap and volume it references exists; the PDB, the KEDA ScaledObject and the HPA
// point at the tagger, its consumer group, topic and partition count.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { busConfigSpec, createBusMetrics } from '@zhner/bus';
import { TOPIC_NAMES } from '@zhner/contracts';
import { env, loadConfig, type ConfigSpec } from '@zhner/core';
import { Registry } from '@zhner/kit';
import { configSpec as reloader } from '@zhner/reloader';
import { configSpec as sampler } from '@zhner/sampler';
import { httpConfigSpec } from '@zhner/service';
import { storeConfigSpec } from '@zhner/store';
import { configSpec as studio } from '@zhner/studio';
import { configSpec as tagger } from '@zhner/tagger';
import { configSpec as orchestrator } from '@zhner/trainer-orchestrator';

const REPO = path.resolve(__dirname, '..', '..');
const K8S = path.join(REPO, 'deploy', 'k8s');

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

const files = yamlFiles(K8S);
const docs: Array<Doc & { file: string }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${path.relative(REPO, file)}: ${d.errors.map((e) => e.message).join('; ')}`);
    return { ...(d.toJSON() as Doc), file: path.relative(K8S, file) };
  }),
);
const of = (kind: string) => docs.filter((d) => d.kind === kind);
const configMaps = new Map(of('ConfigMap').map((d) => [d.metadata.name, d.data ?? {}]));
const secrets = new Map(of('Secret').map((d) => [d.metadata.name, d.stringData ?? d.data ?? {}]));
const specs: Record<string, ConfigSpec> = { tagger, sampler, 'trainer-orchestrator': orchestrator, reloader, studio };
/** Read by every process outside the config schemas (the logger). */
const RUNTIME_VARS = new Set(['LOG_LEVEL', 'NODE_ENV']);

function fullSpec(service: string, port: number): ConfigSpec {
  return { ...busConfigSpec, ...storeConfigSpec, ...httpConfigSpec, port: env.int('PORT', { default: port }), ...specs[service] };
}

function defaultPort(service: string): number {
  const main = readFileSync(path.join(REPO, 'services', service, 'src', 'main.ts'), 'utf8');
  const m = /defaultPort:\s*(\d+)/.exec(main);
  if (!m) throw new Error(`services/${service}/src/main.ts names no defaultPort`);
  return Number(m[1]);
}

describe('deploy/k8s manifests', () => {
  it('parse, and the kustomization lists files that exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    const kustomization = docs.find((d) => d.kind === 'Kustomization') as unknown as { resources: string[] };
    for (const r of kustomization.resources) expect(existsSync(path.join(K8S, r))).toBe(true);
    expect(of('Deployment').map((d) => d.metadata.name).sort()).toEqual(Object.keys(specs).sort());
  });

  describe.each(of('Deployment').map((d) => [d.metadata.name, d] as const))('Deployment %s', (name, dep) => {
    const pod = dep.spec.template.spec;
    const [container] = pod.containers;
    const service = /services\/([\w-]+)\/src\/main\.ts/.exec(container.command.join(' '))?.[1] ?? '';
    const port = defaultPort(service);

    it('runs its own service on the port of its main.ts, with both probes and resources', () => {
      expect(service).toBe(name);
      expect(dep.spec.selector.matchLabels).toEqual(dep.spec.template.metadata.labels);
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
      expect(container.resources.limits).toEqual(expect.objectContaining({ memory: expect.anything() }));
      expect(dep.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(port));
      const svc = of('Service').find((s) => s.metadata.name === name);
      expect(svc?.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
      expect(svc?.spec.selector).toEqual(dep.spec.selector.matchLabels);
    });

    it('sets only variables its config schema knows, and they load', () => {
      const spec = fullSpec(service, port);
      const known = new Set(Object.values(spec).map((f) => f.variable));
      const envValues: Record<string, string> = {};
      for (const from of container.envFrom ?? []) {
        const data = configMaps.get(from.configMapRef.name);
        expect({ configMap: from.configMapRef.name, exists: data !== undefined }).toEqual({ configMap: from.configMapRef.name, exists: true });
        Object.assign(envValues, data);
      }
      for (const e of container.env ?? []) {
        if (e.value !== undefined) envValues[e.name] = String(e.value);
        else if (e.valueFrom?.secretKeyRef) {
          const { name: secret, key } = e.valueFrom.secretKeyRef;
          expect({ secret, key, exists: secrets.get(secret)?.[key] !== undefined }).toEqual({ secret, key, exists: true });
          envValues[e.name] = e.name.endsWith('TOKEN') ? 'k8s-test-token-0123456789abcdef0123456789abcdef' : secrets.get(secret)![key];
        } else if (e.valueFrom?.fieldRef) envValues[e.name] = `${name}-7d9f8c-x2x4q`;
        else throw new Error(`env ${e.name} has neither value nor a supported valueFrom`);
      }
      const unknown = Object.keys(envValues).filter((k) => !known.has(k) && !RUNTIME_VARS.has(k));
      expect(unknown).toEqual([]);
      expect(envValues.PORT ?? String(port)).toBe(String(port));
      const cfg = loadConfig(spec, envValues) as Record<string, unknown>;
      expect(cfg.port).toBe(port);
    });

    it('mounts volumes that exist', () => {
      for (const v of pod.volumes ?? []) {
        if (v.persistentVolumeClaim) expect(of('PersistentVolumeClaim').map((p) => p.metadata.name)).toContain(v.persistentVolumeClaim.claimName);
      }
      for (const m of container.volumeMounts ?? []) expect((pod.volumes ?? []).map((v: { name: string }) => v.name)).toContain(m.name);
    });
  });

  it('keeps at least all but one tagger through voluntary disruptions', () => {
    const pdb = of('PodDisruptionBudget').find((d) => d.metadata.name === 'tagger')!;
    const dep = of('Deployment').find((d) => d.metadata.name === 'tagger')!;
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(dep.spec.selector.matchLabels);
  });

  it('scales the taggers on the lag of their group, up to one replica per partition (KEDA, and an HPA without KEDA)', () => {
    const platform = configMaps.get('zhner-platform')!;
    const cfg = loadConfig({ ...busConfigSpec, group: tagger.groupId }, platform);
    const group = `${cfg.topicPrefix}${cfg.group}`;
    const keda = of('ScaledObject').find((d) => d.metadata.name === 'tagger')!;
    expect(keda.spec.scaleTargetRef.name).toBe('tagger');
    expect(keda.spec.maxReplicaCount).toBe(cfg.topicPartitions);
    const [trigger] = keda.spec.triggers;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata).toEqual(expect.objectContaining({ consumerGroup: group, topic: `${cfg.topicPrefix}${TOPIC_NAMES.rawText}`, bootstrapServers: cfg.kafkaBrokers.join(','), allowIdleConsumers: 'false' }));
    const hpa = of('HorizontalPodAutoscaler').find((d) => d.metadata.name === 'tagger')!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'tagger' });
    expect(hpa.spec.maxReplicas).toBe(cfg.topicPartitions);
    const external = hpa.spec.metrics.find((m: { type: string }) => m.type === 'External').external;
    expect(external.metric.selector.matchLabels).toEqual({ consumergroup: group });
    // the metric the HPA reads is the one the bus exports
    const registry = new Registry();
    createBusMetrics(registry);
    expect(registry.getSingleMetric(external.metric.name)).toBeDefined();
  });
});
