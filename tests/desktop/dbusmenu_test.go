package desktop

import (
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

// menuItem is one node of a com.canonical.dbusmenu layout.
type menuItem struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []*menuItem
}

// Label is the item's label without GTK mnemonic markers.
func (m *menuItem) Label() string {
	s, _ := m.Props["label"].Value().(string)
	s = strings.ReplaceAll(strings.ReplaceAll(s, "__", "\x00"), "_", "")
	return strings.ReplaceAll(s, "\x00", "_")
}

// Enabled, Visible: dbusmenu leaves out properties that have their default (true).
func (m *menuItem) Enabled() bool { return boolProp(m.Props, "enabled") }
func (m *menuItem) Visible() bool { return boolProp(m.Props, "visible") }

func (m *menuItem) Separator() bool {
	t, _ := m.Props["type"].Value().(string)
	return t == "separator"
}

// Toggle is the checkbox state: "" when the item is no checkbox, else "on" or "off".
func (m *menuItem) Toggle() string {
	tt, _ := m.Props["toggle-type"].Value().(string)
	if tt == "" {
		return ""
	}
	st, _ := m.Props["toggle-state"].Value().(int32)
	if st == 1 {
		return "on"
	}
	return "off"
}

func boolProp(p map[string]dbus.Variant, k string) bool {
	v, ok := p[k]
	if !ok {
		return true
	}
	b, ok := v.Value().(bool)
	return !ok || b
}

// find returns the first item, depth first, whose label satisfies match.
func (m *menuItem) find(match func(string) bool) *menuItem {
	for _, c := range m.Children {
		if match(c.Label()) {
			return c
		}
		if f := c.find(match); f != nil {
			return f
		}
	}
	return nil
}

func (m *menuItem) byLabel(label string) *menuItem {
	return m.find(func(s string) bool { return s == label })
}

// labels lists the visible labels of the top level.
func (m *menuItem) labels() []string {
	var out []string
	for _, c := range m.Children {
		if c.Visible() && !c.Separator() {
			out = append(out, c.Label())
		}
	}
	return out
}

// tree renders the layout as an indented text tree: id, label, and the states.
func (m *menuItem) tree() string {
	var b strings.Builder
	var walk func(it *menuItem, depth int)
	walk = func(it *menuItem, depth int) {
		for _, c := range it.Children {
			ind := strings.Repeat("    ", depth)
			if c.Separator() {
				fmt.Fprintf(&b, "%s[%2d] ────────────\n", ind, c.ID)
				continue
			}
			var flags []string
			if !c.Enabled() {
				flags = append(flags, "disabled")
			}
			if !c.Visible() {
				flags = append(flags, "hidden")
			}
			if t := c.Toggle(); t != "" {
				flags = append(flags, "checkbox "+t)
			}
			if d, _ := c.Props["children-display"].Value().(string); d == "submenu" {
				flags = append(flags, "submenu")
			}
			suffix := ""
			if len(flags) > 0 {
				suffix = "  (" + strings.Join(flags, ", ") + ")"
			}
			label := c.Label()
			if label == "" {
				label = `""`
			}
			fmt.Fprintf(&b, "%s[%2d] %s%s\n", ind, c.ID, label, suffix)
			walk(c, depth+1)
		}
	}
	walk(m, 0)
	return b.String()
}

// getLayout reads the whole menu: parent 0, unlimited depth, every property.
func getLayout(obj dbus.BusObject) (*menuItem, uint32, error) {
	var rev uint32
	var raw struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	call := obj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		return nil, 0, call.Err
	}
	if err := call.Store(&rev, &raw); err != nil {
		return nil, 0, err
	}
	root := &menuItem{ID: raw.ID, Props: raw.Props}
	for _, c := range raw.Children {
		it, err := decodeItem(c.Value())
		if err != nil {
			return nil, 0, err
		}
		root.Children = append(root.Children, it)
	}
	return root, rev, nil
}

// decodeItem converts a child variant, a (ia{sv}av) struct, into a menuItem.
func decodeItem(v any) (*menuItem, error) {
	fields, ok := v.([]any)
	if !ok || len(fields) != 3 {
		return nil, fmt.Errorf("dbusmenu: unexpected child %T %v", v, v)
	}
	id, ok1 := fields[0].(int32)
	props, ok2 := fields[1].(map[string]dbus.Variant)
	kids, ok3 := fields[2].([]dbus.Variant)
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("dbusmenu: unexpected child fields %T %T %T", fields[0], fields[1], fields[2])
	}
	it := &menuItem{ID: id, Props: props}
	for _, k := range kids {
		c, err := decodeItem(k.Value())
		if err != nil {
			return nil, err
		}
		it.Children = append(it.Children, c)
	}
	return it, nil
}

// click sends what a panel sends when the user picks an item.
func click(obj dbus.BusObject, id int32) error {
	return obj.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)).Err
}
