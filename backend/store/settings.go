package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"aisync/backend/edit/jsonedit"
)

// GetSetting decodes the value stored under key into v.
func (s *SQLite) GetSetting(ctx context.Context, key string, v any) error {
	var raw string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM setting WHERE key = ?`, key).Scan(&raw)
	if err != nil {
		return fmt.Errorf("get setting %q: %w", key, notFound(err))
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("get setting %q: decode: %w", key, err)
	}
	return nil
}

// SettingsWithPrefix returns the values stored under the keys that start with prefix. A
// prefix that ends in an ASCII character (below DEL) is read as a range of the key's index.
func (s *SQLite) SettingsWithPrefix(ctx context.Context, prefix string) (map[string]json.RawMessage, error) {
	query, args := `SELECT key, value FROM setting WHERE substr(key, 1, length(?1)) = ?1`, []any{prefix}
	if n := len(prefix); n > 0 && prefix[n-1] < 0x7F {
		query += ` AND key >= ?1 AND key < ?2`
		args = append(args, prefix[:n-1]+string(prefix[n-1]+1))
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("get settings %q*: %w", prefix, err)
	}
	defer rows.Close()
	out := map[string]json.RawMessage{}
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return nil, fmt.Errorf("get settings %q*: %w", prefix, err)
		}
		out[key] = json.RawMessage(value)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get settings %q*: %w", prefix, err)
	}
	return out, nil
}

// PutSetting stores v as JSON under key. A json.RawMessage is stored as it is, once it
// passes a check that it is valid JSON: for large values the caller has already encoded.
func (s *SQLite) PutSetting(ctx context.Context, key string, v any) error {
	if key == "" {
		return fmt.Errorf("put setting: %w: empty key", ErrInvalidArgument)
	}
	var b []byte
	if raw, ok := v.(json.RawMessage); ok {
		if !jsonedit.StrictValid(raw) {
			return fmt.Errorf("put setting %q: %w: not valid JSON", key, ErrInvalidArgument)
		}
		b = raw
	} else {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return fmt.Errorf("put setting %q: encode: %w", key, err)
		}
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, string(b), formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("put setting %q: %w", key, err)
	}
	return nil
}

// AddProject registers a project folder; path is cleaned and must be absolute, so that one
// folder is one scope however it was typed.
func (s *SQLite) AddProject(ctx context.Context, path string) (Project, error) {
	if !filepath.IsAbs(path) {
		return Project{}, fmt.Errorf("add project %q: %w: path must be absolute", path, ErrInvalidArgument)
	}
	path = filepath.Clean(path)
	row := s.write.QueryRowContext(ctx, `INSERT INTO project (path, added_at) VALUES (?, ?)
		ON CONFLICT (path) DO UPDATE SET path = excluded.path RETURNING path, added_at`,
		path, formatTime(s.now()))
	p, err := scanProject(row)
	if err != nil {
		return Project{}, fmt.Errorf("add project %q: %w", path, err)
	}
	return p, nil
}

// RemoveProject unregisters a project folder.
func (s *SQLite) RemoveProject(ctx context.Context, path string) error {
	if filepath.IsAbs(path) {
		path = filepath.Clean(path)
	}
	if err := s.deleteOne(ctx, `DELETE FROM project WHERE path = ?`, path); err != nil {
		return fmt.Errorf("remove project %q: %w", path, err)
	}
	return nil
}

// ListProjects returns the registered project folders by path.
func (s *SQLite) ListProjects(ctx context.Context) ([]Project, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT path, added_at FROM project ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	out, err := collect(rows, scanProject)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	return out, nil
}

func scanProject(r rowScanner) (Project, error) {
	var p Project
	var added string
	if err := r.Scan(&p.Path, &added); err != nil {
		return Project{}, err
	}
	var err error
	p.AddedAt, err = parseTime(added)
	return p, err
}
