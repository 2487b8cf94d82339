// Describing consumer groups of the broker-side protocol (KIP-848), for tools and tests (the
// chaos command counts rebalances by the group epoch; tests wait for a stable group).
import { loadPlatformaticKafka } from './platformatic';

export interface ConsumerGroupMember {
  memberId: string;
  clientId: string;
  /** Partitions the member holds now, and those the broker wants it to hold. */
  partitions: number;
  targetPartitions: number;
}

export interface ConsumerGroupDescription {
  state: string;
  /** Bumped by the coordinator at every membership or subscription change (a rebalance). */
  epoch: number;
  members: ConsumerGroupMember[];
}

// ConsumerGroupDescribe v0 (API 69) with a parser of our own: @platformatic/kafka 1.35's reads
// SubscribedTopicNames as one string and skips the Assignment structs' tagged fields, so it fails
// on every non-empty group ("Out of bounds").
type Rd = { readInt16(): number; readInt32(): number; readString(): string; readNullableString(): string | null; readUUID(): string; readTaggedFields(): void; readArray<T>(f: (r: Rd) => T, compact?: boolean, discardTaggedFields?: boolean): T[] };
function parseConsumerGroupDescribe(_c: number, _k: number, _v: number, r: Rd) {
  const assignment = (x: Rd) => {
    const tps = x.readArray((t) => ({ topicId: t.readUUID(), topicName: t.readString(), partitions: t.readArray((q) => q.readInt32(), true, false) }));
    x.readTaggedFields();
    return tps;
  };
  return {
    throttleTimeMs: r.readInt32(),
    groups: r.readArray((g) => ({
      errorCode: g.readInt16(),
      errorMessage: g.readNullableString(),
      groupId: g.readString(),
      groupState: g.readString(),
      groupEpoch: g.readInt32(),
      assignmentEpoch: g.readInt32(),
      assignorName: g.readString(),
      members: g.readArray((m) => ({
        memberId: m.readString(),
        instanceId: m.readNullableString(),
        rackId: m.readNullableString(),
        memberEpoch: m.readInt32(),
        clientId: m.readString(),
        clientHost: m.readString(),
        subscribedTopicNames: m.readArray((t) => t.readString(), true, false),
        subscribedTopicRegex: m.readNullableString(),
        assignment: assignment(m),
        targetAssignment: assignment(m),
      })),
      authorizedOperations: g.readInt32(),
    })),
  };
}

/**
 * A consumer group of the broker-side protocol (KIP-848) as the coordinator describes it
 * (ConsumerGroupDescribe), or null when no such group exists (e.g. a classic group: see
 * kafkajs' admin.describeGroups for those).
 */
export async function describeConsumerGroup(brokers: readonly string[], groupId: string): Promise<ConsumerGroupDescription | null> {
  const pk = await loadPlatformaticKafka();
  const api = pk.createAPI<[string[], boolean], ReturnType<typeof parseConsumerGroupDescribe>>(69, 0, pk.consumerGroupDescribeV0.createRequest, parseConsumerGroupDescribe as never);
  const [host, port] = brokers[0].split(':');
  const connection = new pk.Connection(`zhner-describe-${process.pid}`);
  await connection.connect(host, Number(port));
  try {
    const res = await api.async(connection, [groupId], false);
    const g = res.groups[0];
    if (!g || g.errorCode !== 0) return null;
    const count = (a: Array<{ partitions: number[] }>) => a.reduce((n, t) => n + t.partitions.length, 0);
    return {
      state: g.groupState,
      epoch: g.groupEpoch,
      members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, partitions: count(m.assignment), targetPartitions: count(m.targetAssignment) })),
    };
  } finally {
    await connection.close();
  }
}

