package desktop

import (
	"fmt"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

// fakeWatcher is a minimal org.kde.StatusNotifierWatcher: the tray host side of the
// StatusNotifierItem protocol. Without a watcher on the session bus, libayatana-appindicator
// (under getlantern/systray) has nowhere to register and the icon silently never appears;
// with this one, the test sees the registration and can then talk to the item and its menu
// like a panel would.
type fakeWatcher struct {
	conn  *dbus.Conn
	props *prop.Properties

	mu    sync.Mutex
	items []string // "<bus name><object path>", as a real watcher reports them
	reg   chan string
}

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherIface = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
)

// startWatcher claims org.kde.StatusNotifierWatcher on the bus at address.
func startWatcher(address string) (*fakeWatcher, error) {
	conn, err := dbus.Connect(address)
	if err != nil {
		return nil, fmt.Errorf("connect to the test bus: %w", err)
	}
	w := &fakeWatcher{conn: conn, reg: make(chan string, 16)}
	if err := conn.Export(w, watcherPath, watcherIface); err != nil {
		conn.Close()
		return nil, err
	}
	w.props, err = prop.Export(conn, watcherPath, prop.Map{watcherIface: {
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
	}})
	if err != nil {
		conn.Close()
		return nil, err
	}
	node := &introspect.Node{Name: string(watcherPath), Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData,
		{
			Name: watcherIface,
			Methods: []introspect.Method{
				{Name: "RegisterStatusNotifierItem", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
				{Name: "RegisterStatusNotifierHost", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
			},
			Signals: []introspect.Signal{
				{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Name: "service", Type: "s"}}},
				{Name: "StatusNotifierItemUnregistered", Args: []introspect.Arg{{Name: "service", Type: "s"}}},
				{Name: "StatusNotifierHostRegistered"},
			},
			Properties: w.props.Introspection(watcherIface),
		},
	}}
	if err := conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		conn.Close()
		return nil, err
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("request %s: reply %v, err %v", watcherName, reply, err)
	}
	return w, nil
}

// RegisterStatusNotifierItem is called by the item. KDE items pass their bus name;
// libappindicator passes its object path, and the bus name is then the caller's.
func (w *fakeWatcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	full := service
	if strings.HasPrefix(service, "/") {
		full = string(sender) + service
	} else if !strings.Contains(service, "/") {
		full = service + "/StatusNotifierItem"
	}
	w.mu.Lock()
	w.items = append(w.items, full)
	items := append([]string(nil), w.items...)
	w.mu.Unlock()
	w.props.SetMust(watcherIface, "RegisteredStatusNotifierItems", items)
	_ = w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemRegistered", full)
	select {
	case w.reg <- full:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost accepts a host (there is none besides this fake).
func (w *fakeWatcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

// Registered is every item registered so far.
func (w *fakeWatcher) Registered() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.items...)
}

func (w *fakeWatcher) Close() { w.conn.Close() }

// splitItem turns "<bus name><object path>" into its two parts.
func splitItem(full string) (string, dbus.ObjectPath) {
	i := strings.IndexByte(full, '/')
	if i < 0 {
		return full, "/StatusNotifierItem"
	}
	return full[:i], dbus.ObjectPath(full[i:])
}
