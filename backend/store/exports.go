package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

const exportColumns = `id, kind, format, path, filter, row_count, bytes, status, created_at, finished_at, error`

// CreateExport records a running export.
func (s *SQLite) CreateExport(ctx context.Context, e Export) (Export, error) {
	if e.Kind == "" || e.Format == "" {
		return Export{}, fmt.Errorf("create export: %w: kind and format are required", ErrInvalidArgument)
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now()
	}
	out, err := scanExport(s.write.QueryRowContext(ctx, `INSERT INTO export (id, kind, format, path, filter,
		status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+exportColumns,
		e.ID, e.Kind, e.Format, e.Path, nullJSON(e.Filter), ExportRunning, formatTime(e.CreatedAt)))
	if err != nil {
		return Export{}, fmt.Errorf("create export: %w", err)
	}
	return out, nil
}

// FinishExport records the outcome of a running export.
func (s *SQLite) FinishExport(ctx context.Context, id string, r ExportResult) (Export, error) {
	if r.Status != ExportSucceeded && r.Status != ExportFailed {
		return Export{}, fmt.Errorf("finish export %q: %w: status %q is not final", id, ErrInvalidArgument, r.Status)
	}
	var out Export
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanExport(tx.QueryRowContext(ctx, `UPDATE export
			SET status = ?, row_count = ?, bytes = ?, error = ?, finished_at = ?
			WHERE id = ? AND status = ? RETURNING `+exportColumns,
			r.Status, r.RowCount, r.Bytes, r.Error, formatTime(s.now()), id, ExportRunning))
		if err != sql.ErrNoRows {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM export WHERE id = ?)`, id).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return ErrAlreadyFinished
		}
		return ErrNotFound
	})
	if err != nil {
		return Export{}, fmt.Errorf("finish export %q: %w", id, err)
	}
	return out, nil
}

// GetExport returns one export.
func (s *SQLite) GetExport(ctx context.Context, id string) (Export, error) {
	e, err := scanExport(s.read.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM export WHERE id = ?`, id))
	if err != nil {
		return Export{}, fmt.Errorf("get export %q: %w", id, notFound(err))
	}
	return e, nil
}

// ListExports returns the newest exports first.
func (s *SQLite) ListExports(ctx context.Context, limit int) ([]Export, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+exportColumns+` FROM export
		ORDER BY created_at DESC, id DESC LIMIT ?`, clampLimit(limit, 100))
	if err != nil {
		return nil, fmt.Errorf("list exports: %w", err)
	}
	out, err := collect(rows, scanExport)
	if err != nil {
		return nil, fmt.Errorf("list exports: %w", err)
	}
	return out, nil
}

func scanExport(r rowScanner) (Export, error) {
	var e Export
	var filter, finished sql.NullString
	var created string
	err := r.Scan(&e.ID, &e.Kind, &e.Format, &e.Path, &filter, &e.RowCount, &e.Bytes, &e.Status,
		&created, &finished, &e.Error)
	if err != nil {
		return Export{}, err
	}
	if filter.Valid {
		e.Filter = json.RawMessage(filter.String)
	}
	if e.CreatedAt, err = parseTime(created); err != nil {
		return Export{}, err
	}
	e.FinishedAt, err = parseNullTime(finished)
	return e, err
}
