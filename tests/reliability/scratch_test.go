package reliability

import (
	"os"
	"testing"
	"fmt"
)

func TestScratch(t *testing.T) {
	r := newRig(t, faultClients)
	r.sync()
	os.Remove(r.serversPath("gemini"))
	res := r.sync()
	fmt.Printf("conflicts=%d snaps=%d written=%d\n", res.Conflicts, res.Snapshots, res.FilesWritten)
	for _, id := range r.ids { fmt.Println(id, names(r.serversSafeMap(id))) }
	// Same with an emptied (not deleted) file.
	r2 := newRig(t, faultClients)
	r2.sync()
	os.WriteFile(r2.serversPath("gemini"), nil, 0o644)
	res = r2.sync()
	fmt.Printf("empty file: conflicts=%d snaps=%d written=%d\n", res.Conflicts, res.Snapshots, res.FilesWritten)
	for _, id := range r2.ids { fmt.Println(id, names(r2.serversSafeMap(id))) }
}
