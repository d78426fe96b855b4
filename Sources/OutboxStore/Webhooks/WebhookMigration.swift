import GRDB

/// Schema step `v19-webhooks`: the endpoints applications registered, one delivery per
/// (endpoint, event), and every attempt of it.
///
/// The dispatcher reads the event log by a durable `cursor` per endpoint (the primary key
/// range after it), so nothing is added to the hot path of delivery: no trigger, no extra
/// write per event. A delivery row is written, with the cursor moved past its event, in
/// one transaction: after a restart nothing is skipped and nothing is scheduled twice.
enum WebhookMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE webhook_endpoint (
                id INTEGER PRIMARY KEY,
                url TEXT NOT NULL,
                events TEXT NOT NULL,          -- event kinds, comma-separated
                owner TEXT,                    -- only this owner's events; NULL: every owner
                allow_http INTEGER NOT NULL DEFAULT 0,  -- plain http:// to a host that is not loopback
                secret_sealed BLOB NOT NULL,   -- the signing secret, sealed like profile secrets
                cursor INTEGER NOT NULL,       -- the last event id looked at
                created_at INTEGER NOT NULL
            );
            CREATE TABLE webhook_delivery (
                id INTEGER PRIMARY KEY,
                endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
                event_id INTEGER NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','delivered','failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_status INTEGER,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                finished_at INTEGER,
                UNIQUE (endpoint_id, event_id)
            );
            -- Each endpoint's due deliveries, oldest due first (the dispatcher shares its slots out per endpoint).
            CREATE INDEX webhook_delivery_due ON webhook_delivery(endpoint_id, next_attempt_at) WHERE state = 'pending';
            CREATE INDEX webhook_delivery_failed ON webhook_delivery(endpoint_id) WHERE state = 'failed';
            CREATE TABLE webhook_attempt (
                id INTEGER PRIMARY KEY,
                delivery_id INTEGER NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
                at INTEGER NOT NULL,
                status INTEGER,                -- the HTTP status; NULL: no response
                latency_ms INTEGER NOT NULL,
                error TEXT
            );
            CREATE INDEX webhook_attempt_by_delivery ON webhook_attempt(delivery_id);
            """)
    }
}
