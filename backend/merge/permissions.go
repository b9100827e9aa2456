package merge

import "aisync/backend/unified"

// Permissions merges the three permission lists as sets, each on its own: result = base +
// added(a) + added(b) − removed(a) − removed(b). Entries are independent keys, so there is
// nothing to conflict over; an entry one side moved from one list to another is removed from
// the first and added to the second, which is a move.
//
// When the two sides put the same entry into different lists (one moved it to ask, the other
// to deny), the entry would end up in both. Then the most restrictive list wins (deny, then
// ask, then allow): a sync must never widen what a tool may do behind the user's back. An
// entry that already sat in several lists in an input is left as the merge gives it. Each
// list comes out sorted and de-duplicated.
func Permissions(base, a, b unified.Permissions) unified.Permissions {
	out := unified.Permissions{
		Allow: mergeSet(base.Allow, a.Allow, b.Allow),
		Ask:   mergeSet(base.Ask, a.Ask, b.Ask),
		Deny:  mergeSet(base.Deny, a.Deny, b.Deny),
	}
	inputs := []unified.Permissions{base, a, b}
	deny, ask := toSet(out.Deny), toSet(out.Ask)
	exclusive := func(entry string) bool {
		for _, p := range inputs {
			if listCount(p, entry) > 1 {
				return false
			}
		}
		return true
	}
	out.Ask = without(out.Ask, func(e string) bool { return deny[e] && exclusive(e) })
	out.Allow = without(out.Allow, func(e string) bool { return (deny[e] || ask[e]) && exclusive(e) })
	return out
}

// listCount says in how many of the three lists an entry appears.
func listCount(p unified.Permissions, entry string) int {
	n := 0
	for _, list := range [][]string{p.Allow, p.Ask, p.Deny} {
		for _, e := range list {
			if e == entry {
				n++
				break
			}
		}
	}
	return n
}

func without(list []string, drop func(string) bool) []string {
	var out []string
	for _, e := range list {
		if !drop(e) {
			out = append(out, e)
		}
	}
	return out
}
