package service

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aisync/backend/buildinfo"
	"aisync/backend/events"
	"aisync/backend/store"
)

// Export formats.
const (
	FormatCSV   = "csv"
	FormatJSON  = "json"  // one JSON array
	FormatJSONL = "jsonl" // JSON Lines, for large sets
)

// ExportLogs streams every log entry matching f into a file in the export store and returns
// the export record. Memory stays flat whatever the number of rows.
func (s *Service) ExportLogs(ctx context.Context, f LogFilter, format string) (store.Export, error) {
	switch format {
	case "":
		format = FormatCSV
	case FormatCSV, FormatJSON, FormatJSONL:
	default:
		return store.Export{}, fmt.Errorf("%w: format must be csv, json or jsonl", ErrInvalid)
	}
	if err := os.MkdirAll(s.set.ExportDir(), 0o700); err != nil {
		return store.Export{}, fmt.Errorf("create export dir: %w", err)
	}
	filter, _ := json.Marshal(f)
	name := fmt.Sprintf("logs-%s.%s", time.Now().UTC().Format("20060102-150405.000"), format)
	path := filepath.Join(s.set.ExportDir(), name)
	rec, err := s.st.CreateExport(ctx, store.Export{Kind: "logs", Format: format, Path: path, Filter: filter, Status: store.ExportRunning})
	if err != nil {
		return rec, err
	}
	rows, n, werr := s.writeLogs(ctx, path, f, format)
	result := store.ExportResult{Status: store.ExportSucceeded, RowCount: rows, Bytes: n}
	if werr != nil {
		result.Status, result.Error = store.ExportFailed, werr.Error()
		os.Remove(path)
	}
	rec, err = s.st.FinishExport(ctx, rec.ID, result)
	if err != nil {
		return rec, err
	}
	if werr != nil {
		return rec, werr
	}
	s.bus.Publish(events.Event{Type: "export.finished", Msg: fmt.Sprintf("exported %d log entries to %s", rows, name), Data: map[string]any{"exportId": rec.ID, "rows": rows}})
	return rec, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (s *Service) writeLogs(ctx context.Context, path string, f LogFilter, format string) (int64, int64, error) {
	tmp := path + ".part"
	file, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, 0, fmt.Errorf("create export: %w", err)
	}
	defer os.Remove(tmp)
	cw := &countingWriter{w: file}
	bw := bufio.NewWriterSize(cw, 256<<10)
	var rows int64
	var cw2 *csv.Writer
	enc := json.NewEncoder(bw)
	switch format {
	case FormatCSV:
		cw2 = csv.NewWriter(bw)
		_ = cw2.Write([]string{"timestamp", "level", "client", "event", "message", "sync_event_id", "context", "id"})
	case FormatJSON:
		bw.WriteString("[\n")
	}
	err = s.st.StreamLogs(ctx, f.store(), func(e store.LogEntry) error {
		e.Message = string(s.redact([]byte(e.Message)))
		e.Context = s.redact(e.Context)
		switch format {
		case FormatCSV:
			if err := cw2.Write([]string{e.Timestamp.UTC().Format(time.RFC3339Nano), e.Level, e.ClientID, e.Event, e.Message, e.SyncEventID, string(e.Context), e.ID}); err != nil {
				return err
			}
		case FormatJSON:
			if rows > 0 {
				bw.WriteString(",\n")
			}
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			bw.Write(b)
		default:
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		rows++
		return nil
	})
	if err == nil && cw2 != nil {
		cw2.Flush()
		err = cw2.Error()
	}
	if err == nil && format == FormatJSON {
		_, err = bw.WriteString("\n]\n")
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return rows, cw.n, fmt.Errorf("export logs: %w", err)
	}
	return rows, cw.n, nil
}

// Exports lists the export history, newest first.
func (s *Service) Exports(ctx context.Context, limit int) ([]store.Export, error) {
	list, err := s.st.ListExports(ctx, limit)
	if list == nil {
		list = []store.Export{}
	}
	return list, err
}

// ExportFile opens a finished export for download.
func (s *Service) ExportFile(ctx context.Context, id string) (store.Export, *os.File, error) {
	rec, err := s.st.GetExport(ctx, id)
	if err != nil {
		return rec, nil, err
	}
	if rec.Status != store.ExportSucceeded {
		return rec, nil, fmt.Errorf("export %s is %s: %w", id, rec.Status, store.ErrNotFound)
	}
	// Only files inside the export store are ever served.
	rel, err := filepath.Rel(s.set.ExportDir(), rec.Path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return rec, nil, fmt.Errorf("export %s: file outside the export store: %w", id, store.ErrNotFound)
	}
	f, err := os.Open(rec.Path)
	if err != nil {
		return rec, nil, fmt.Errorf("export %s: %w", id, store.ErrNotFound)
	}
	return rec, f, nil
}

// backupManifest is the first entry of a backup archive.
type backupManifest struct {
	App       string    `json:"app"`
	Version   string    `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	Files     []string  `json:"files"`
}

// Backup writes the whole state (the database, which holds snapshots, logs, conflicts and
// settings) as a .tar.gz archive in the export store and records it in the export history.
// Secret values are not in the database, so they are not in the archive either.
func (s *Service) Backup(ctx context.Context) (store.Export, error) {
	if err := os.MkdirAll(s.set.ExportDir(), 0o700); err != nil {
		return store.Export{}, fmt.Errorf("create export dir: %w", err)
	}
	name := fmt.Sprintf("aisync-backup-%s.tar.gz", time.Now().UTC().Format("20060102-150405.000"))
	path := filepath.Join(s.set.ExportDir(), name)
	rec, err := s.st.CreateExport(ctx, store.Export{Kind: "backup", Format: "tar.gz", Path: path, Status: store.ExportRunning})
	if err != nil {
		return rec, err
	}
	size, berr := s.writeBackup(ctx, path)
	res := store.ExportResult{Status: store.ExportSucceeded, RowCount: 1, Bytes: size}
	if berr != nil {
		res.Status, res.Error = store.ExportFailed, berr.Error()
	}
	rec, err = s.st.FinishExport(ctx, rec.ID, res)
	if berr != nil {
		return rec, berr
	}
	return rec, err
}

func (s *Service) writeBackup(ctx context.Context, path string) (int64, error) {
	dbCopy := path + ".db"
	defer os.Remove(dbCopy)
	if err := s.st.Backup(ctx, dbCopy); err != nil {
		return 0, err
	}
	tmp := path + ".part"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("create backup: %w", err)
	}
	defer os.Remove(tmp)
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	man, _ := json.MarshalIndent(backupManifest{App: "aisync", Version: buildinfo.Version, CreatedAt: time.Now().UTC(), Files: []string{"aisync.db"}}, "", "  ")
	if err := addTar(tw, "manifest.json", man); err != nil {
		return 0, err
	}
	db, err := os.ReadFile(dbCopy)
	if err != nil {
		return 0, fmt.Errorf("read database copy: %w", err)
	}
	if err := addTar(tw, "aisync.db", db); err != nil {
		return 0, err
	}
	if err := tw.Close(); err != nil {
		return 0, err
	}
	if err := gz.Close(); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	fi, _ := f.Stat()
	f.Close()
	if err := os.Rename(tmp, path); err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func addTar(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), ModTime: time.Now()}); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	_, err := tw.Write(data)
	return err
}

// ErrBadBackup means a restore archive was rejected before anything was replaced.
var ErrBadBackup = errors.New("not a valid aisync backup")

// Restore replaces the whole state with a backup archive. The archive is checked first (its
// manifest, and the database's integrity) in a temporary place; only then is the live
// database replaced, in one step.
func (s *Service) Restore(ctx context.Context, archive io.Reader) error {
	tmpDir, err := os.MkdirTemp(s.set.DataDir, ".restore-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpDir)
	gz, err := gzip.NewReader(io.LimitReader(archive, 4<<30))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadBackup, err)
	}
	tr := tar.NewReader(gz)
	var man *backupManifest
	dbPath := ""
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadBackup, err)
		}
		switch h.Name {
		case "manifest.json":
			var m backupManifest
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil || m.App != "aisync" {
				return fmt.Errorf("%w: bad manifest", ErrBadBackup)
			}
			man = &m
		case "aisync.db":
			dbPath = filepath.Join(tmpDir, "aisync.db")
			out, err := os.OpenFile(dbPath, os.O_CREATE|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			out.Close()
			if err != nil {
				return fmt.Errorf("%w: %v", ErrBadBackup, err)
			}
		}
	}
	if man == nil || dbPath == "" {
		return fmt.Errorf("%w: the archive needs manifest.json and aisync.db", ErrBadBackup)
	}
	check, err := store.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadBackup, err)
	}
	err = check.IntegrityCheck(ctx)
	check.Close()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadBackup, err)
	}
	if err := s.st.Restore(ctx, dbPath); err != nil {
		return err
	}
	s.bus.Publish(events.Event{Type: events.StatusChanged, Msg: "state restored from backup"})
	_, err = s.eng.SyncAll(ctx, "restore", nil)
	return err
}
