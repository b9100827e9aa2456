package codex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// extrasOf keeps the keys of a server table that the unified model does not name, as JSON,
// so that a round trip through the hub gives them back to Codex.
func extrasOf(t map[string]any) (map[string]json.RawMessage, error) {
	var out map[string]json.RawMessage
	for _, k := range sortedKeys(t) {
		if knownKeys[k] {
			continue
		}
		raw, err := toJSON(t[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[k] = raw
	}
	return out, nil
}

var errNotJSON = errors.New("value has no JSON form")

// toJSON converts a value decoded by go-toml to JSON. Dates and times become their TOML text.
func toJSON(v any) (json.RawMessage, error) {
	j, err := jsonValue(v)
	if err != nil {
		return nil, err
	}
	return marshal(j)
}

func jsonValue(v any) (any, error) {
	switch x := v.(type) {
	case string, bool, int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %v", errNotJSON, x)
		}
		return x, nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	case toml.LocalDate:
		return x.String(), nil
	case toml.LocalTime:
		return x.String(), nil
	case toml.LocalDateTime:
		return x.String(), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			j, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			j, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = j
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: %T", errNotJSON, v)
}

// fromJSON is the inverse of toJSON for writing: integers stay integers, other numbers
// become floats; null has no TOML form.
func fromJSON(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return tomlValue(v)
}

func tomlValue(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, errors.New("TOML has no null")
	case string, bool:
		return x, nil
	case json.Number:
		if !strings.ContainsAny(x.String(), ".eE") {
			if i, err := x.Int64(); err == nil {
				return i, nil
			}
		}
		f, err := x.Float64()
		if err != nil {
			return nil, err
		}
		return f, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			t, err := tomlValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			t, err := tomlValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = t
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected JSON value %T", v)
}

func marshal(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// equalRaw compares two JSON values as data (key order and spacing do not matter).
func equalRaw(a, b json.RawMessage) bool {
	return canonical(a) == canonical(b)
}

func canonical(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "invalid:" + string(raw)
	}
	b, _ := marshal(v)
	return string(b)
}

// equalJSON compares two Go values by their JSON form, which treats nil and empty the same
// only where the unified model's Normalize has already made them the same.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
