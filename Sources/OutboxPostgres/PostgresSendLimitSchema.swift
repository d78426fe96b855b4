/// Schema step `v24-send-limits`: the state of ``PostgresSendLimits`` — connection slots
/// per account and admitted sends per owner — and the two functions that take them, each
/// one round trip. Each function locks the account's (or owner's) row first, so nodes
/// taking slots or admitting sends for the same account or owner at once go one after the
/// other, and reads the database's clock after the lock: one clock for every node, in the
/// order the lock gives.
enum PostgresSendLimitSchema {
    static let step = """
        CREATE FUNCTION outbox_clock_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
            SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
        $$;

        -- One row per account (user@host:port), locked while a slot is taken.
        CREATE TABLE connection_account (account TEXT PRIMARY KEY);
        -- A connection open (or opening) to the account, held by a node until expires_at
        -- (renewed while it is open): a node that dies loses its slots when they expire.
        CREATE TABLE connection_slot (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            account TEXT NOT NULL REFERENCES connection_account(account),
            holder TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX connection_slot_account ON connection_slot (account);

        -- A slot's id, or NULL when p_cap slots of the account are held.
        CREATE FUNCTION outbox_acquire_connection(p_account TEXT, p_cap BIGINT, p_holder TEXT, p_lease BIGINT) RETURNS BIGINT
        LANGUAGE plpgsql AS $$
            DECLARE
                v_now BIGINT;
                v_taken BIGINT;
                v_slot BIGINT;
            BEGIN
                INSERT INTO connection_account (account) VALUES (p_account) ON CONFLICT DO NOTHING;
                PERFORM 1 FROM connection_account WHERE account = p_account FOR UPDATE;
                v_now := outbox_clock_ms();
                DELETE FROM connection_slot WHERE account = p_account AND expires_at <= v_now;
                SELECT count(*) INTO v_taken FROM connection_slot WHERE account = p_account;
                IF v_taken >= p_cap THEN
                    RETURN NULL;
                END IF;
                INSERT INTO connection_slot (account, holder, expires_at) VALUES (p_account, p_holder, v_now + p_lease) RETURNING id INTO v_slot;
                RETURN v_slot;
            END
        $$;

        -- One row per owner, locked while a send is admitted; the next evenly spread slot.
        CREATE TABLE send_owner (owner TEXT PRIMARY KEY, next_slot BIGINT NOT NULL DEFAULT 0);
        -- A send admitted at `at`: while in_flight_until is set it counts in every window
        -- until then; once finished as sent, `at` is when it finished and it counts in the
        -- windows after it. Sends that certainly were not accepted are deleted; rows older
        -- than a day are deleted by the next admission of the owner.
        CREATE TABLE send_admission (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            owner TEXT NOT NULL,
            at BIGINT NOT NULL,
            recipients BIGINT NOT NULL,
            holder TEXT NOT NULL,
            in_flight_until BIGINT
        );
        CREATE INDEX send_admission_owner_at ON send_admission (owner, at);
        CREATE INDEX send_admission_in_flight ON send_admission (owner, in_flight_until) WHERE in_flight_until IS NOT NULL;

        -- Admits a send (admission, admitted_at) or says how long to wait and why
        -- (wait_ms, reason: minute, hour, day, recipients or spacing, reason_limit).
        CREATE FUNCTION outbox_admit_send(
            p_owner TEXT, p_per_minute BIGINT, p_per_hour BIGINT, p_per_day BIGINT, p_recipients_per_day BIGINT,
            p_spacing BIGINT, p_recipients BIGINT, p_holder TEXT, p_lease BIGINT,
            OUT admission BIGINT, OUT admitted_at BIGINT, OUT wait_ms BIGINT, OUT reason TEXT, OUT reason_limit BIGINT)
        LANGUAGE plpgsql AS $$
            DECLARE
                v_now BIGINT;
                v_next BIGINT;
                v_window RECORD;
                v_count BIGINT;
                v_opens BIGINT;
            BEGIN
                INSERT INTO send_owner (owner) VALUES (p_owner) ON CONFLICT DO NOTHING;
                SELECT o.next_slot INTO v_next FROM send_owner o WHERE o.owner = p_owner FOR UPDATE;
                v_now := outbox_clock_ms();
                admitted_at := v_now;
                DELETE FROM send_admission a
                    WHERE a.owner = p_owner AND a.at <= v_now - 86400000 AND (a.in_flight_until IS NULL OR a.in_flight_until <= v_now);
                FOR v_window IN
                    SELECT * FROM (VALUES ('minute', p_per_minute, 60000::BIGINT), ('hour', p_per_hour, 3600000::BIGINT),
                                          ('day', p_per_day, 86400000::BIGINT)) AS w(name, cap, span)
                    WHERE w.cap IS NOT NULL
                LOOP
                    SELECT count(*), min(GREATEST(a.at + v_window.span, COALESCE(a.in_flight_until, 0))) INTO v_count, v_opens
                        FROM send_admission a WHERE a.owner = p_owner AND (a.at > v_now - v_window.span OR a.in_flight_until > v_now);
                    IF v_count >= v_window.cap THEN
                        wait_ms := GREATEST(v_opens + 1 - v_now, 1000);
                        reason := v_window.name;
                        reason_limit := v_window.cap;
                        RETURN;
                    END IF;
                END LOOP;
                IF p_recipients_per_day IS NOT NULL THEN
                    SELECT COALESCE(sum(a.recipients), 0), min(GREATEST(a.at + 86400000, COALESCE(a.in_flight_until, 0))) INTO v_count, v_opens
                        FROM send_admission a WHERE a.owner = p_owner AND (a.at > v_now - 86400000 OR a.in_flight_until > v_now);
                    -- A message with more recipients than the whole limit goes when nothing else counts.
                    IF v_count > 0 AND v_count + p_recipients > p_recipients_per_day THEN
                        wait_ms := GREATEST(v_opens + 1 - v_now, 1000);
                        reason := 'recipients';
                        reason_limit := p_recipients_per_day;
                        RETURN;
                    END IF;
                END IF;
                IF p_spacing > 0 THEN
                    IF v_next > v_now THEN
                        wait_ms := v_next - v_now;
                        reason := 'spacing';
                        reason_limit := p_spacing;
                        RETURN;
                    END IF;
                    UPDATE send_owner SET next_slot = v_now + p_spacing WHERE owner = p_owner;
                END IF;
                INSERT INTO send_admission (owner, at, recipients, holder, in_flight_until)
                    VALUES (p_owner, v_now, p_recipients, p_holder, v_now + p_lease) RETURNING id INTO admission;
            END
        $$;
        """
}
