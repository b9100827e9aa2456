package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"aisync/backend/fsx"
	"aisync/backend/secrets"
	"aisync/backend/service"
	"aisync/backend/settings"
)

// The thin CLI: each command parses flags, calls one service method and prints the result.

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("status", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if !parse(fs, args) {
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	r, err := svc.Status(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "aisync: status: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		printJSON(stdout, r)
		return exitOK
	}
	fmt.Fprintf(stdout, "aisync %s, data in %s, %d pending conflict(s)\n", r.Version.Version, r.DataDir, r.PendingConflicts)
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tSTATE\tLAST SYNC\tLAST ERROR")
	for _, c := range r.Clients {
		last := "-"
		if !c.LastSync.IsZero() {
			last = c.LastSync.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ClientID, c.State, last, orDash(c.LastError))
	}
	tw.Flush()
	return exitOK
}

func cmdClients(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("clients", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	all := fs.Bool("all", false, "also list clients that are not installed")
	if !parse(fs, args) {
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	list, err := svc.Clients(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "aisync: clients: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		printJSON(stdout, list)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tDETECTED\tENABLED\tPRIORITY\tFILES")
	for _, c := range list {
		if !c.Detected && !*all {
			continue
		}
		var files []string
		for _, e := range c.Endpoints {
			if e.Exists {
				files = append(files, e.Path)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%v\t%d\t%s\n", c.ID, c.Name, c.Detected, c.Enabled, c.Priority, strings.Join(files, ", "))
	}
	tw.Flush()
	return exitOK
}

func cmdSnapshots(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("snapshots", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 20, "how many")
	scope := fs.String("scope", "", "only this scope (user or project:/path)")
	if !parse(fs, args) {
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	page, err := svc.Snapshots(context.Background(), service.SnapshotFilter{Limit: *limit, Scope: *scope})
	if err != nil {
		fmt.Fprintf(stderr, "aisync: snapshots: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		printJSON(stdout, page)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tSCOPE\tBY\tSERVERS\tRULES\tPERMISSIONS")
	for _, s := range page.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\n", s.ID, s.CreatedAt.Local().Format(time.DateTime), s.Scope, s.CreatedBy, s.ServerCount, s.RuleCount, s.PermissionCount)
	}
	tw.Flush()
	return exitOK
}

func cmdApply(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("apply", stderr)
	to := fs.String("to", "", "comma-separated client ids (default: all enabled clients)")
	dry := fs.Bool("dry-run", false, "show what would change without writing")
	asJSON := fs.Bool("json", false, "print JSON")
	if !parse(fs, args, true) {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: aisync apply <snapshot-id> [--to a,b] [--dry-run]")
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	r, err := svc.Apply(context.Background(), fs.Arg(0), splitList(*to), *dry)
	if err != nil {
		fmt.Fprintf(stderr, "aisync: apply: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		printJSON(stdout, r)
		return exitOK
	}
	for _, d := range r.Diffs {
		fmt.Fprintf(stdout, "%s %s (%s)\n", d.Action, d.Path, d.Client)
		for _, l := range d.Lines {
			if l.Op != ' ' {
				fmt.Fprintf(stdout, "  %c %s\n", l.Op, l.Text)
			}
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	if r.DryRun {
		fmt.Fprintf(stdout, "dry run: %d file(s) would change\n", len(r.Diffs))
	} else if r.Sync != nil {
		printSyncResult(stdout, *r.Sync)
	}
	return exitOK
}

func cmdLogs(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("logs", stderr)
	level := fs.String("level", "", "comma-separated levels: debug,info,warn,error")
	client := fs.String("client", "", "only this client")
	q := fs.String("q", "", "text search")
	limit := fs.Int("limit", 50, "how many")
	export := fs.String("export", "", "export every matching entry to the export store in this format (csv, json, jsonl)")
	asJSON := fs.Bool("json", false, "print JSON")
	if !parse(fs, args) {
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	f := service.LogFilter{Levels: splitList(*level), ClientID: *client, Query: *q, Limit: *limit}
	if *export != "" {
		rec, err := svc.ExportLogs(context.Background(), f, *export)
		if err != nil {
			fmt.Fprintf(stderr, "aisync: export: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "exported %d entries to %s\n", rec.RowCount, rec.Path)
		return exitOK
	}
	page, err := svc.Logs(context.Background(), f)
	if err != nil {
		fmt.Fprintf(stderr, "aisync: logs: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		printJSON(stdout, page)
		return exitOK
	}
	for _, e := range page.Items {
		fmt.Fprintf(stdout, "%s %-5s %-14s %s\n", e.Timestamp.Local().Format(time.DateTime), e.Level, orDash(e.ClientID), e.Message)
	}
	return exitOK
}

func cmdConflicts(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("conflicts", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if !parse(fs, args, true) {
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	ctx := context.Background()
	if fs.NArg() > 0 {
		if fs.Arg(0) != "resolve" || fs.NArg() != 3 {
			fmt.Fprintln(stderr, "usage: aisync conflicts [resolve <conflict-id> <client-id|base|confirm|restore>]")
			return exitUsage
		}
		r := service.Resolution{Choice: "client", Client: fs.Arg(2)}
		switch fs.Arg(2) {
		case "base", "confirm", "restore":
			r = service.Resolution{Choice: fs.Arg(2)}
		}
		res, err := svc.ResolveConflict(ctx, fs.Arg(1), r, "cli")
		if err != nil {
			fmt.Fprintf(stderr, "aisync: resolve: %v\n", err)
			return exitFailure
		}
		printSyncResult(stdout, res)
		return exitOK
	}
	list, err := svc.Conflicts(ctx, "pending")
	if err != nil {
		fmt.Fprintf(stderr, "aisync: conflicts: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		printJSON(stdout, list)
		return exitOK
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "no pending conflicts")
	}
	for _, c := range list {
		var sides []string
		for _, s := range c.Sides {
			sides = append(sides, s.ClientID)
		}
		fmt.Fprintf(stdout, "%s  %s %s  (%s)  sides: %s\n", c.ID, c.Kind, c.ItemKey, c.Scope, strings.Join(sides, ", "))
	}
	return exitOK
}

func cmdProjects(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("projects", stderr)
	if !parse(fs, args, true) {
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	ctx := context.Background()
	switch {
	case fs.NArg() == 0:
		list, err := svc.Projects(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "aisync: projects: %v\n", err)
			return exitFailure
		}
		for _, p := range list {
			fmt.Fprintln(stdout, p.Path)
		}
	case fs.NArg() == 2 && fs.Arg(0) == "add":
		p, err := svc.AddProject(ctx, fs.Arg(1))
		if err != nil {
			fmt.Fprintf(stderr, "aisync: add project: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "added %s\n", p.Path)
	case fs.NArg() == 2 && fs.Arg(0) == "remove":
		if err := svc.RemoveProject(ctx, fs.Arg(1)); err != nil {
			fmt.Fprintf(stderr, "aisync: remove project: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "removed %s\n", fs.Arg(1))
	default:
		fmt.Fprintln(stderr, "usage: aisync projects [add|remove <dir>]")
		return exitUsage
	}
	return exitOK
}

func cmdSecrets(args []string, stdout, stderr io.Writer) int {
	st, err := settings.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "aisync: %v\n", err)
		return exitUsage
	}
	return secrets.RunCLI(args, os.Stdin, stdout, stderr, st)
}

func cmdToken(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("token", stderr)
	if !parse(fs, args) {
		return exitUsage
	}
	svc, _, closeAll, code := boot(stderr, service.Options{Quiet: true})
	if code != exitOK {
		return code
	}
	defer closeAll()
	tok, err := svc.APIToken()
	if err != nil {
		fmt.Fprintf(stderr, "aisync: token: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(stdout, tok)
	return exitOK
}

func cmdBackups(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("backups", stderr)
	if !parse(fs, args, true) {
		return exitUsage
	}
	st, err := settings.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "aisync: %v\n", err)
		return exitUsage
	}
	b := fsx.Backups{Dir: st.BackupDir(), Keep: st.BackupKeep}
	switch {
	case fs.NArg() == 1:
		list, err := b.List(absOr(fs.Arg(0)))
		if err != nil {
			fmt.Fprintf(stderr, "aisync: backups: %v\n", err)
			return exitFailure
		}
		if len(list) == 0 {
			fmt.Fprintf(stdout, "no backups of %s\n", absOr(fs.Arg(0)))
		}
		for _, p := range list {
			fmt.Fprintln(stdout, p)
		}
	case fs.NArg() == 3 && fs.Arg(0) == "restore":
		target, backup := absOr(fs.Arg(1)), fs.Arg(2)
		if err := b.Restore(target, backup); err != nil {
			fmt.Fprintf(stderr, "aisync: restore: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "restored %s from %s (the replaced bytes were backed up first)\n", target, backup)
	default:
		fmt.Fprintln(stderr, "usage: aisync backups <client file>            list the backups aisync made of a file, newest first\n       aisync backups restore <client file> <backup>")
		return exitUsage
	}
	return exitOK
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
