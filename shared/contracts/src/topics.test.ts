import { TOPIC_NAMES, consumerGroup, createTopics } from './topics';

describe('topic and consumer-group names', () => {
  it('prefixes every topic and every consumer group with the environment prefix', () => {
    const staging = createTopics({ prefix: 'staging.' });
    expect(staging.rawText.name).toBe(`staging.${TOPIC_NAMES.rawText}`);
    expect(consumerGroup(staging, 'tagger')).toBe('staging.tagger');
    // two environments on one cluster never share a group
    expect(consumerGroup(createTopics({ prefix: 'prod.' }), 'tagger')).not.toBe(consumerGroup(staging, 'tagger'));
  });

  it('leaves names alone without a prefix', () => {
    expect(consumerGroup(createTopics(), 'sampler')).toBe('sampler');
  });
});
