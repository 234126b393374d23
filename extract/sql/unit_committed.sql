SELECT count(*) FROM ops.loads WHERE load_id = ? AND status = 'loaded'
