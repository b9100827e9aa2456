package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const clientColumns = `id, name, type, status, priority, enabled, conflict_policy, created_at, updated_at`

// UpsertClient inserts c or updates the client with the same ID. An update changes only
// what detection finds out (name, type, status): priority, enabled and conflict policy are
// the user's choices and change only through UpdateClient, so re-registering the clients at
// startup cannot undo them.
func (s *SQLite) UpsertClient(ctx context.Context, c Client) (Client, error) {
	out, err := upsertClient(ctx, s.write, c, formatTime(s.now()))
	if err != nil {
		return Client{}, fmt.Errorf("upsert client %q: %w", c.ID, err)
	}
	return out, nil
}

// UpsertClients is UpsertClient for several clients in one transaction: all of them or,
// on an error, none. A first start registers some twenty clients, and a commit each was
// most of the time it took.
func (s *SQLite) UpsertClients(ctx context.Context, cs []Client) ([]Client, error) {
	out := make([]Client, 0, len(cs))
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st := prepareOnce(tx)
		defer st.close()
		for _, c := range cs {
			row, err := upsertClient(ctx, st, c, now)
			if err != nil {
				return fmt.Errorf("%q: %w", c.ID, err)
			}
			out = append(out, row)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("upsert clients: %w", err)
	}
	return out, nil
}

func upsertClient(ctx context.Context, q queryRower, c Client, now string) (Client, error) {
	if c.ID == "" {
		return Client{}, fmt.Errorf("%w: empty id", ErrInvalidArgument)
	}
	createdAt := now
	if !c.CreatedAt.IsZero() {
		createdAt = formatTime(c.CreatedAt)
	}
	return scanClient(q.QueryRowContext(ctx, `
		INSERT INTO client (id, name, type, status, priority, enabled, conflict_policy, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			name = excluded.name, type = excluded.type, status = excluded.status,
			updated_at = excluded.updated_at
		RETURNING `+clientColumns,
		c.ID, c.Name, c.Type, c.Status, c.Priority, c.Enabled, c.ConflictPolicy, createdAt, now))
}

// GetClient returns one client.
func (s *SQLite) GetClient(ctx context.Context, id string) (Client, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM client WHERE id = ?`, id)
	c, err := scanClient(row)
	if err != nil {
		return Client{}, fmt.Errorf("get client %q: %w", id, notFound(err))
	}
	return c, nil
}

// ListClients returns all clients, highest priority first.
func (s *SQLite) ListClients(ctx context.Context) ([]Client, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+clientColumns+` FROM client ORDER BY priority DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	out, err := collect(rows, scanClient)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	return out, nil
}

// UpdateClient changes the fields set in patch.
func (s *SQLite) UpdateClient(ctx context.Context, id string, patch ClientPatch) (Client, error) {
	sets := []string{"updated_at = ?"}
	args := []any{formatTime(s.now())}
	if patch.Status != nil {
		sets = append(sets, "status = ?")
		args = append(args, *patch.Status)
	}
	if patch.Priority != nil {
		sets = append(sets, "priority = ?")
		args = append(args, *patch.Priority)
	}
	if patch.Enabled != nil {
		sets = append(sets, "enabled = ?")
		args = append(args, *patch.Enabled)
	}
	if patch.ConflictPolicy != nil {
		sets = append(sets, "conflict_policy = ?")
		args = append(args, *patch.ConflictPolicy)
	}
	args = append(args, id)
	row := s.write.QueryRowContext(ctx,
		`UPDATE client SET `+strings.Join(sets, ", ")+` WHERE id = ? RETURNING `+clientColumns, args...)
	c, err := scanClient(row)
	if err != nil {
		return Client{}, fmt.Errorf("update client %q: %w", id, notFound(err))
	}
	return c, nil
}

func scanClient(r rowScanner) (Client, error) {
	var c Client
	var created, updated string
	err := r.Scan(&c.ID, &c.Name, &c.Type, &c.Status, &c.Priority, &c.Enabled, &c.ConflictPolicy, &created, &updated)
	if err != nil {
		return Client{}, err
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return Client{}, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return Client{}, err
	}
	return c, nil
}

const endpointColumns = `id, client_id, path, config_type, hash, last_seen`

// UpsertEndpoint inserts e or updates the endpoint with the same client, path and config type.
func (s *SQLite) UpsertEndpoint(ctx context.Context, e Endpoint) (Endpoint, error) {
	if err := s.prepareEndpoint(&e); err != nil {
		return Endpoint{}, err
	}
	return upsertEndpoint(ctx, s.write, e)
}

// prepareEndpoint checks e and fills in its ID and LastSeen when they are empty.
func (s *SQLite) prepareEndpoint(e *Endpoint) error {
	if e.ClientID == "" || e.Path == "" {
		return fmt.Errorf("upsert endpoint: %w: client id and path are required", ErrInvalidArgument)
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if e.LastSeen.IsZero() {
		e.LastSeen = s.now()
	}
	return nil
}

const upsertEndpointSQL = `
		INSERT INTO client_endpoint (id, client_id, path, config_type, hash, last_seen)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (client_id, path, config_type) DO UPDATE SET
			hash = excluded.hash, last_seen = excluded.last_seen
		RETURNING ` + endpointColumns

// upsertEndpoint is UpsertEndpoint on q, for an endpoint prepareEndpoint checked.
func upsertEndpoint(ctx context.Context, q queryRower, e Endpoint) (Endpoint, error) {
	row := q.QueryRowContext(ctx, upsertEndpointSQL,
		e.ID, e.ClientID, e.Path, e.ConfigType, e.Hash, formatTime(e.LastSeen))
	out, err := scanEndpoint(row)
	if err != nil {
		return Endpoint{}, fmt.Errorf("upsert endpoint %q: %w", e.Path, err)
	}
	return out, nil
}

// ListEndpoints returns the endpoints of a client, or all endpoints when clientID is "".
func (s *SQLite) ListEndpoints(ctx context.Context, clientID string) ([]Endpoint, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+endpointColumns+` FROM client_endpoint
		WHERE ? = '' OR client_id = ? ORDER BY client_id, path, config_type`, clientID, clientID)
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	out, err := collect(rows, scanEndpoint)
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	return out, nil
}

func scanEndpoint(r rowScanner) (Endpoint, error) {
	var e Endpoint
	var seen sql.NullString
	if err := r.Scan(&e.ID, &e.ClientID, &e.Path, &e.ConfigType, &e.Hash, &seen); err != nil {
		return Endpoint{}, err
	}
	var err error
	e.LastSeen, err = parseNullTime(seen)
	return e, err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanString reads a row of one text column, for collect.
func scanString(r rowScanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
