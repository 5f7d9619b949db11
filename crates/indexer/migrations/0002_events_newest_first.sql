-- The event log is read newest first per chain (the API's `/v1/events`); without this index
-- every page sorts the chain's whole log.
CREATE INDEX events_newest_first ON events (chain_id, block_number, log_index);
