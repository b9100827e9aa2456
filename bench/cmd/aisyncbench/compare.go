package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// runCompare times `sync --once` of two aisync builds on the peers phase's inputs, one run
// of each per round with their order swapped every round, each on a fresh copy of the
// same tree: the way to see a change of a few percent on a machine whose speed drifts by
// more than that within a full benchmark run. It reports the medians and minimums of wall
// time and of the CPU time (user + system) of each build.
func runCompare(ctx context.Context, c *config) section {
	sec := section{Name: "compare"}
	this := aisyncTool(c)
	this.name = "aisync (this build)"
	other := this
	other.name = "aisync (--compare-bin)"
	other.args = append([]string{c.CompareBin}, this.args[1:]...)
	tools := []peerTool{this, other}
	tab := table{Title: fmt.Sprintf("Alternating `sync --once` of two builds (ms; %d rounds per size, fresh output tree each run)", c.CompareRuns),
		Header: []string{"servers / rules", "this build: median (min)", "other: median (min)", "this ÷ other", "CPU this", "CPU other", "CPU this ÷ other"}}
	for _, n := range c.PeerSizes {
		if ctx.Err() != nil {
			break
		}
		m := max(2, n/5)
		base := filepath.Join(c.Work, fmt.Sprintf("compare-%d", n))
		tmpl := filepath.Join(base, "template")
		this.prepare(tmpl, benchServers("srv", n), m)
		logf("compare: %d servers, %d rules, %d rounds", n, m, c.CompareRuns)
		wall, cpu := make([][]float64, 2), make([][]float64, 2)
		for r := 0; r < c.CompareRuns && ctx.Err() == nil; r++ {
			for k := range tools {
				i := (k + r) % len(tools)
				runDir := filepath.Join(base, fmt.Sprintf("run-%d", i))
				os.RemoveAll(runDir)
				copyTree(tmpl, runDir)
				w, u, err := timeCmdCPU(ctx, tools[i], filepath.Join(runDir, "project"))
				if err != nil {
					sec.note("%s at %d servers: %v", tools[i].name, n, err)
					continue
				}
				wall[i], cpu[i] = append(wall[i], w), append(cpu[i], u)
			}
		}
		if len(wall[0]) == 0 || len(wall[1]) == 0 {
			continue
		}
		d0, d1 := newDist(wall[0]), newDist(wall[1])
		c0, c1 := median(cpu[0]), median(cpu[1])
		tab.Rows = append(tab.Rows, []string{fmt.Sprintf("%d / %d", n, m),
			fmt.Sprintf("%s (%s)", f1(d0.P50), f1(d0.Min)), fmt.Sprintf("%s (%s)", f1(d1.P50), f1(d1.Min)),
			fmt.Sprintf("%.3f", d0.P50/d1.P50), f1(c0), f1(c1), fmt.Sprintf("%.3f", c0/c1)})
	}
	sec.Tables = append(sec.Tables, tab)
	sec.note("This build: %s. Other: %s. Both run with the peers phase's environment; CPU is the process's user + system time.", this.args[0], c.CompareBin)
	return sec
}
