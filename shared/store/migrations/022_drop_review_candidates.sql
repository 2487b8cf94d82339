-- review_candidates had two writers (sampler and studio); its rows now live in sampler_selections
-- (011, the sampler's memory) and review_queue (021, the studio's queue).
DROP TABLE review_candidates;
